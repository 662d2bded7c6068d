import sys

from workdocs_local.cli import main

sys.exit(main())
