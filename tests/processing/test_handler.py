"""The Lambda handler against S3 on the moto server."""

from __future__ import annotations

import json

from f1lake import aws
from f1lake.endpoints import RESULTS
from f1lake.processing import processed_source, quarantine_record
from lambda_processor.handler import handler
from tests.processing.factories import (
    envelope,
    key_for,
    put_raw,
    put_results,
    put_schedule,
    race,
    result,
    s3_event,
    simple_results,
    sqs_event,
)


def _sha_of(settings, key):
    body = aws.client("s3", settings).get_object(Bucket=settings.raw_bucket, Key=key)["Body"]
    return json.loads(body.read())["f1lake"]["payload_sha256"]


def test_direct_s3_event_writes_typed_parquet_with_provenance(stack, read_processed):
    key = put_results(stack, 2023, 9, simple_results())
    response = handler(s3_event(stack.raw_bucket, key), None)
    assert response["quarantined"] == []
    results = read_processed("results", 2023, 9)
    assert results.column("driver_id").to_pylist() == ["ascari", "farina"]
    assert results.column("time_millis").to_pylist() == [5_133_607, 5_138_762]
    assert results.schema.field("grid").type.bit_width == 32
    assert "season" not in results.column_names
    assert processed_source(stack, "results", 2023, 9) == (key, _sha_of(stack, key))


def test_sqs_wrapped_event_and_test_event(stack, read_processed):
    key = put_results(stack, 2024, 3, simple_results())
    body = json.dumps(s3_event(stack.raw_bucket, key))
    test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})
    response = handler(sqs_event(body, test_event), None)
    assert response == {"batchItemFailures": []}
    assert read_processed("results", 2024, 3).num_rows == 2


def test_duplicate_event_is_a_no_op(stack, read_processed):
    key = put_results(stack, 2023, 9, simple_results())
    event = s3_event(stack.raw_bucket, key)
    first = handler(event, None)["outcomes"][0]
    s3 = aws.client("s3", stack)
    head = s3.head_object(Bucket=stack.processed_bucket, Key="results/season=2023/2023-09.parquet")
    second = handler(event, None)["outcomes"][0]
    again = s3.head_object(Bucket=stack.processed_bucket, Key="results/season=2023/2023-09.parquet")
    assert (first["status"], second["status"]) == ("written", "unchanged")
    assert again["ETag"] == head["ETag"] and again["LastModified"] == head["LastModified"]
    assert read_processed("results", 2023, 9).num_rows == 2


def test_out_of_order_events_converge_on_the_newest_payload(stack, read_processed):
    old = put_results(stack, 2023, 9, simple_results("ascari"), minutes=0)
    new = put_results(stack, 2023, 9, simple_results("villoresi"), minutes=30)
    # the newer object's event first, then the late one of the older object
    assert handler(s3_event(stack.raw_bucket, new), None)["outcomes"][0]["status"] == "written"
    late = handler(s3_event(stack.raw_bucket, old), None)["outcomes"][0]
    assert late["status"] == "superseded" and late["source_key"] == new
    assert read_processed("results", 2023, 9).column("driver_id")[0].as_py() == "villoresi"
    assert processed_source(stack, "results", 2023, 9)[0] == new


def test_an_older_event_still_lands_on_the_newest_object(stack, read_processed):
    old = put_results(stack, 2023, 9, simple_results("ascari"), minutes=0)
    new = put_results(stack, 2023, 9, simple_results("villoresi"), minutes=30)
    # only the older object's event has arrived so far: it already processes the newest
    out = handler(s3_event(stack.raw_bucket, old), None)["outcomes"][0]
    assert out["source_key"] == new
    assert read_processed("results", 2023, 9).column("driver_id")[0].as_py() == "villoresi"


def test_rounds_of_one_season_do_not_clobber_each_other(stack, read_processed):
    r9 = put_results(stack, 2023, 9, simple_results("ascari"))
    r10 = put_results(stack, 2023, 10, simple_results("farina"))
    handler(s3_event(stack.raw_bucket, r9, r10), None)
    handler(s3_event(stack.raw_bucket, r9), None)
    assert read_processed("results", 2023, 9).column("driver_id")[0].as_py() == "ascari"
    assert read_processed("results", 2023, 10).column("driver_id")[0].as_py() == "farina"
    assert read_processed("results", 2023, 10).column("round").to_pylist() == [10, 10]


def test_bad_items_are_quarantined_and_reported_while_the_good_one_is_written(
    stack, read_processed
):
    not_json_key = key_for(envelope(RESULTS, race(2023, 1, simple_results())))
    put_raw(stack, b"<html>502 Bad Gateway</html>", not_json_key)
    wrong_shape_key = key_for(envelope(RESULTS, race(2023, 2, simple_results())))
    put_raw(stack, json.dumps({"MRData": {"RaceTable": {}}}).encode(), wrong_shape_key)
    invalid_key = put_results(stack, 2023, 3, [result("hamilton", 1, grid="x")])
    good_key = put_results(stack, 2023, 4, simple_results())

    keys = [not_json_key, wrong_shape_key, invalid_key, good_key]
    event = sqs_event(*(json.dumps(s3_event(stack.raw_bucket, k)) for k in keys))
    response = handler(event, None)

    assert response["batchItemFailures"] == [
        {"itemIdentifier": "m0"},
        {"itemIdentifier": "m1"},
        {"itemIdentifier": "m2"},
    ]
    assert read_processed("results", 2023, 4).num_rows == 2
    for round_ in (1, 2, 3):
        assert read_processed("results", 2023, round_) is None
    records = {k: quarantine_record(stack, k) for k in keys}
    assert records[good_key] is None
    assert records[not_json_key]["kind"] == "not_json"
    assert "not JSON" in records[not_json_key]["reason"]
    assert records[wrong_shape_key]["kind"] == "wrong_shape"
    assert records[invalid_key]["kind"] == "invalid"
    assert (
        "results row 1 (driver 'hamilton'): grid 'x' is not an integer"
        in (records[invalid_key]["problems"])
    )
    for k in keys[:3]:
        assert records[k]["raw_bucket"] == stack.raw_bucket and records[k]["raw_key"] == k
        assert records[k]["quarantined_at"]


def test_a_key_outside_the_raw_layout_is_quarantined(stack):
    put_raw(stack, b"{}", "notes/readme.json")
    response = handler(s3_event(stack.raw_bucket, "notes/readme.json"), None)
    assert response["quarantined"] == ["notes/readme.json"]
    assert "not a raw object key" in quarantine_record(stack, "notes/readme.json")["reason"]


def test_message_that_is_not_an_s3_notification_fails_alone(stack, read_processed):
    good = put_results(stack, 2023, 5, simple_results())
    response = handler(sqs_event("garbage", json.dumps(s3_event(stack.raw_bucket, good))), None)
    assert response["batchItemFailures"] == [{"itemIdentifier": "m0"}]
    assert read_processed("results", 2023, 5) is not None


def test_invalid_newest_payload_falls_back_to_the_newest_valid_one(stack, read_processed):
    good = put_results(stack, 2023, 9, simple_results("ascari"), minutes=0)
    bad = put_results(stack, 2023, 9, [result("hamilton", 1, laps="many")], minutes=30)
    # the bad one's event arrives first: it is quarantined, the older valid payload is written
    first = handler(sqs_event(json.dumps(s3_event(stack.raw_bucket, bad))), None)
    assert first["batchItemFailures"] == [{"itemIdentifier": "m0"}]
    assert processed_source(stack, "results", 2023, 9)[0] == good
    record = quarantine_record(stack, bad)
    # the older event then is a no-op success; a replay of the bad one fails again, and its
    # quarantine record is left as it was
    assert handler(sqs_event(json.dumps(s3_event(stack.raw_bucket, good))), None) == {
        "batchItemFailures": []
    }
    again = handler(sqs_event(json.dumps(s3_event(stack.raw_bucket, bad))), None)
    assert again["batchItemFailures"] == [{"itemIdentifier": "m0"}]
    assert quarantine_record(stack, bad) == record
    assert read_processed("results", 2023, 9).column("driver_id")[0].as_py() == "ascari"


def test_schedule_objects_feed_races_only(stack, read_processed):
    key = put_schedule(stack, 2023, 9, time="13:00:00Z")
    handler(s3_event(stack.raw_bucket, key), None)
    races = read_processed("races", 2023, 9)
    assert races.column("race_name").to_pylist() == ["Test Grand Prix 9"]
    assert read_processed("circuits", 2023, 9) is None  # circuits come from their own endpoint


def test_tables_for_endpoint_are_exactly_the_tables_written(stack):
    from f1lake.processing import tables_for_endpoint

    key = put_results(stack, 2023, 11, simple_results())
    written = handler(s3_event(stack.raw_bucket, key), None)["outcomes"][0]
    listed = aws.client("s3", stack).list_objects_v2(Bucket=stack.processed_bucket)["Contents"]
    assert sorted(o["Key"].split("/")[0] for o in listed) == sorted(tables_for_endpoint("results"))
    assert written["status"] == "written"


def test_a_version_written_while_an_invocation_lists_is_not_overwritten(stack, read_processed):
    """Two invocations at once: A lists the race's objects (only the old one), B writes and
    processes a newer version, then A writes. A must notice and converge on the newer one."""
    from f1lake.processing import S3Objects, handle_event

    old = put_results(stack, 2023, 9, simple_results("ascari"), minutes=0)
    newer: list[str] = []

    def meanwhile(**_: object) -> None:
        if not newer:  # B, between A's listing and A's write
            newer.append(put_results(stack, 2023, 9, simple_results("villoresi"), minutes=30))
            handler(s3_event(stack.raw_bucket, newer[0]), None)

    session = aws.session(stack)
    session.events.register("after-call.s3.ListObjectsV2", meanwhile)
    out = handle_event(
        s3_event(stack.raw_bucket, old), stack, store=S3Objects(stack, session=session)
    )

    assert out["quarantined"] == []
    assert processed_source(stack, "results", 2023, 9)[0] == newer[0]
    assert read_processed("results", 2023, 9).column("driver_id")[0].as_py() == "villoresi"


def test_an_event_naming_another_bucket_is_refused_not_read(stack, read_processed):
    key = put_results(stack, 2023, 9, simple_results())
    foreign = json.dumps(s3_event("someone-elses-bucket", key))
    response = handler(sqs_event(foreign), None)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert read_processed("results", 2023, 9) is None
    direct = handler(s3_event("someone-elses-bucket", key), None)
    assert direct["quarantined"] == [key] and direct["processed"] == []
    assert "not the raw bucket" in direct["outcomes"][0]["reason"]
    assert read_processed("results", 2023, 9) is None


def test_s3_calls_per_raw_object_are_bounded_and_no_client_is_made_per_invocation(stack):
    """One batch of a weekend's objects: per new object, two listings of its versions (before and
    after writing), one HEAD of its Parquet, one GET of it, one of its quarantine record, and
    one PUT per table; a redelivered batch only lists and HEADs. All on the process's one S3
    client: a writer that made its own (awswrangler's did, per object) shows as missing PUTs."""
    from collections import Counter

    from f1lake.keys import parse_raw_key
    from f1lake.processing import tables_for_endpoint
    from f1lake.processing.s3_objects import shared_store
    from tests.processing.factories import weekend_envelopes

    keys = sorted({put_raw(stack, e) for e in weekend_envelopes(2021, 1)})
    tables = sum(len(tables_for_endpoint(parse_raw_key(k).endpoint)) for k in keys)
    calls: Counter[str] = Counter()
    store = shared_store(stack)
    store.s3.meta.events.register("before-call.s3", lambda model, **_: calls.update([model.name]))
    event = sqs_event(*(json.dumps(s3_event(stack.raw_bucket, k)) for k in keys))

    assert handler(event) == {"batchItemFailures": []}
    n = len(keys)
    assert calls == {
        "ListObjectsV2": 2 * n,
        "HeadObject": n,
        "GetObject": 2 * n,
        "PutObject": tables,
    }

    calls.clear()
    assert handler(event) == {"batchItemFailures": []}
    assert calls == {"ListObjectsV2": n, "HeadObject": tables}
    assert shared_store(stack) is store
