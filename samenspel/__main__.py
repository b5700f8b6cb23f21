from samenspel.cli import main

raise SystemExit(main())
