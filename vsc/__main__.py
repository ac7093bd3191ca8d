from vsc.cli import main

raise SystemExit(main())
