"""The pure core: the field table, comparison, plan, drift and export over plain data.

Nothing here imports boto3 or pulumi, reads the network or runs the engine; the commands
gather live users, state and the users file at the edges and hand them in.
"""
