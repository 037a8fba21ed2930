"""What the app does once at start-up for every process."""

import gc


def test_start_up_objects_are_left_out_of_garbage_collection():
    # core.apps.CoreConfig.ready() froze them: a full collection, which a large import sets off several
    # times, no longer goes through the hundred thousand objects every process holds from its start.
    assert gc.get_freeze_count() > 50_000
