"""get_<field>_display() from labels looked up once per language (core.choices): Django's answers."""

import inspect

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from core import choices
from core.choices import ChoiceLabels
from grids.models import Grid, GridLevel


def _models_with_labels():
    return [m for m in apps.get_models() if issubclass(m, ChoiceLabels)]


def test_the_models_pages_show_choices_of_use_it():
    named = {m.__name__ for m in _models_with_labels()}
    assert {"Grid", "GridStaff", "WhistleTicket", "DisbursementBatch", "BatchLine", "GridRating"} <= named


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_choice_field_of_those_models_answers_as_django(language):
    checked = 0
    with translation.override(language):
        for model in _models_with_labels():
            for field in model._meta.concrete_fields:
                if not field.choices:
                    continue
                display = inspect.getattr_static(model, f"get_{field.name}_display")
                assert display.func is ChoiceLabels._get_FIELD_display, (model, field.name)
                for value in [v for v, _label in field.flatchoices] + ["no-such-value", 987, None]:
                    record = model()
                    setattr(record, field.attname, value)
                    ours = getattr(record, f"get_{field.name}_display")()
                    assert ours == models.Model._get_FIELD_display(record, field), (model, field.name, value)
                    assert type(ours) is type(models.Model._get_FIELD_display(record, field))
                    checked += 1
    assert checked > 50


def test_the_labels_are_read_per_language(monkeypatch):
    monkeypatch.setattr(choices, "_labels", {})
    grid = Grid(level=GridLevel.STREET)
    with translation.override("zh-hans"):
        assert grid.get_level_display() == "一级网格（街镇）"
    with translation.override("en"):
        assert grid.get_level_display() == str(GridLevel.STREET.label)
    assert sorted(language for _field, language in choices._labels) == ["en", "zh-hans"]


def test_an_unknown_value_that_is_no_dictionary_key_is_shown_as_django_shows_it():
    grid = Grid(level=GridLevel.STREET)
    grid.level = [1, 2]  # not a stored value, and unhashable
    assert grid.get_level_display() == models.Model._get_FIELD_display(grid, Grid._meta.get_field("level"))
