-- PostgreSQL's 009 switches the compression of risk_decisions.record to
-- lz4; SQLite does not compress values, so there is nothing to change. The
-- file keeps the version numbers of the two engines in step.
SELECT 1;
