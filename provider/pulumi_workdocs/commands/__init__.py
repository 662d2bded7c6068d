"""The workdocs-users commands: each gathers its inputs through a Context and prints a core result."""
