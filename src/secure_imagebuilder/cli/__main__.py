"""``python -m secure_imagebuilder.cli``: the same as the ``secure-imagebuilder`` console script."""

from secure_imagebuilder.cli.main import main

raise SystemExit(main())
