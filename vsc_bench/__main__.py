from vsc_bench.cli import main

raise SystemExit(main())
