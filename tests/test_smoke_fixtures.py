import psycopg2

from f1lake.aws import client


def test_fixtures_give_real_servers(settings, pg_dsn):
    s3 = client("s3", settings)
    s3.create_bucket(Bucket=settings.raw_bucket)
    assert settings.raw_bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with psycopg2.connect(pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
