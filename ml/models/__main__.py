"""``python -m ml.models reranker [bge-small mpnet]``: fetch and verify weights."""

from ml.models.fetch import main

raise SystemExit(main())
