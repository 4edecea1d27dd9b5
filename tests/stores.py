"""Empty lab stores of each kind for the tests (conftest.py's `any_store`)."""


def make_store(kind, tmp_path, request):
    """An empty store: memory, SQLite in tmp_path, or PostgreSQL in a schema of its own."""
    from nnlab.store import MemoryStore, open_store

    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return open_store(tmp_path)
    import pgcluster

    from nnlab.store.postgres import PostgresStore

    store = PostgresStore(pgcluster.schema_url(request.getfixturevalue("pg_url")))
    request.addfinalizer(store.close)
    return store
