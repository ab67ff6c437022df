"""`__in_array` finds what `__in` finds (keys, foreign keys, numbers, text; no value, a None
among them, an exclusion), and on PostgreSQL sends the values as one array parameter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, ActionUpdate
from tests.factories import ActionFactory, ActionUpdateFactory, BoardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions():
    board = BoardFactory(action_prefix="PPB")
    made = [ActionFactory(board=board, number=n, text=f"Action {n}") for n in range(1, 7)]
    for action in made[:3]:
        ActionUpdateFactory(action=action, text="Progress")
    return made


def _same(queryset_in, queryset_array):
    assert sorted(queryset_array.values_list("pk", flat=True)) == sorted(
        queryset_in.values_list("pk", flat=True)
    )


def test_in_array_finds_what_in_finds(actions):
    keys = [actions[0].pk, actions[2].pk, actions[4].pk]
    _same(Action.objects.filter(pk__in=keys), Action.objects.filter(pk__in_array=keys))
    _same(Action.objects.filter(number__in=[2, 5]), Action.objects.filter(number__in_array=[2, 5]))
    texts = ["Action 1", "Action 6", "Nothing"]
    _same(Action.objects.filter(text__in=texts), Action.objects.filter(text__in_array=texts))
    _same(
        ActionUpdate.objects.filter(action_id__in=keys),
        ActionUpdate.objects.filter(action_id__in_array=keys),
    )
    _same(Action.objects.exclude(pk__in=keys), Action.objects.exclude(pk__in_array=keys))
    with_none = [actions[1].pk, None]
    _same(Action.objects.filter(pk__in=with_none), Action.objects.filter(pk__in_array=with_none))
    assert Action.objects.filter(pk__in_array=keys).count() == 3


def test_in_array_with_no_value_finds_nothing_and_excludes_nothing(actions):
    assert list(Action.objects.filter(pk__in_array=[])) == []
    assert Action.objects.exclude(pk__in_array=[]).count() == len(actions)
    assert list(Action.objects.filter(pk__in_array=[None])) == []


@pytest.mark.postgres
def test_postgresql_receives_one_array_however_many_values(actions, require_postgres):
    keys = [action.pk for action in actions]
    with CaptureQueriesContext(connection) as queries:
        assert Action.objects.filter(pk__in_array=keys).count() == len(actions)
    sql = queries[0]["sql"]
    assert "= ANY(" in sql
    assert " IN (" not in sql
