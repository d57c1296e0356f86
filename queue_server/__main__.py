from queue_server.cli import main

raise SystemExit(main())
