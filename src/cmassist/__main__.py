import sys

from cmassist.cli import main

sys.exit(main())
