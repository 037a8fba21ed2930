"""诉求类别 used to take 诉求类型 as a synonym: a 咨询 or 建议 written there is moved to the type, and marked
不计入 unless its year counts that type. Frozen results of locked quarters (ZeroComplaintResult) are not
touched."""

from django.db import migrations

from assessments.complaint_types import DEFAULT_COMPLAINT_TYPES, KNOWN_TYPES, counts_as_complaint, type_key


def move_types(apps, schema_editor):
    complaint_model = apps.get_model("assessments", "HotlineComplaint")
    year_model = apps.get_model("assessments", "AssessmentYear")
    types_of = dict(year_model.objects.values_list("year", "complaint_types"))
    moved = []
    for complaint in complaint_model.objects.exclude(category="").only("category", "received_on"):
        key = type_key(complaint.category)
        if key in KNOWN_TYPES:
            configured = types_of.get(complaint.received_on.year, DEFAULT_COMPLAINT_TYPES)
            complaint.complaint_type, complaint.category = key, ""
            complaint.counts = counts_as_complaint(key, configured)
            moved.append(complaint)
    complaint_model.objects.bulk_update(moved, ["complaint_type", "category", "counts"], batch_size=1000)


def move_back(apps, schema_editor):
    complaint_model = apps.get_model("assessments", "HotlineComplaint")
    moved = complaint_model.objects.filter(category="").exclude(complaint_type="")
    for complaint in moved.only("complaint_type"):
        complaint.category = complaint.complaint_type
        complaint.save(update_fields=["category"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_complaint_type_and_counts")]

    operations = [migrations.RunPython(move_types, move_back)]
