-- Every decision stores its record (risk.Record as JSON, about 4 KB), which
-- PostgreSQL compresses. lz4 compresses it several times faster than the
-- default pglz (about 30 µs less per stored decision, and a smaller row);
-- servers built without lz4, or older than PostgreSQL 14, keep the default.
-- Only new values are affected: no rewrite, no long lock.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE risk_decisions ALTER COLUMN record SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'risk_decisions.record keeps the default compression: %', SQLERRM;
END
$$;
