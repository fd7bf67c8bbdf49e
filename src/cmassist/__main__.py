import sys

from cmassist.interfaces.cli.main import main

sys.exit(main())
