"""Who may open every URL of the site: a declared rule for each pattern, checked for real.

Every URL pattern in the resolver (the site's own, the API, the accounts pages and the admin, at
any depth of `include`) must have an entry in ACCESS: the rule it follows and the arguments to
open it with. A pattern without one fails `test_every_url_pattern_has_an_access_rule`, naming
it. `test_every_url_follows_its_rule` then opens each URL as each persona (anonymous, signed in
with no role, each plan role, a staff administrator, a superuser) and compares the answer with
the rule: 200, the sign-in page, the admin's sign-in page, 403 or 405.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_totp.models import TOTPDevice

from actionplan import roles
from actionplan.models import (
    Action,
    AreaSteward,
    PerformanceMeasure,
    PriorityArea,
    QuarterlyReview,
    QuarterlyUpdate,
    Rating,
)
from indicators.models import InequalityDataset
from indicators.vocabulary import Rag

PASSWORD = "not-a-real-password"

# --- Personas

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"  # signed in, no role
BOARD = "board member"
OWNER = "action owner"  # owns the sample action
GROUP = "group member"
ANALYST = "analyst"
ADMINISTRATOR = "administrator"  # the plan's Administrator role, not admin-site staff
STAFF = "staff administrator"  # the Administrator role and admin-site staff
SUPERUSER = "superuser"
STEWARD = "plan steward"  # the group's secretariat: stewards the whole plan
LEAD = "area lead"  # a plan steward of priority area 2 only (the samples are in other areas)
PERSONAS = (
    ANONYMOUS,
    OUTSIDER,
    BOARD,
    OWNER,
    GROUP,
    ANALYST,
    ADMINISTRATOR,
    STAFF,
    SUPERUSER,
    STEWARD,
    LEAD,
)
ROLE_HOLDERS = (BOARD, OWNER, GROUP, ANALYST, ADMINISTRATOR, STAFF, SUPERUSER, STEWARD, LEAD)
NOT_STAFF = (ANONYMOUS, OUTSIDER, BOARD, OWNER, GROUP, ANALYST, ADMINISTRATOR, STEWARD, LEAD)

# --- Outcomes

OK = "200"
SIGN_IN = "redirect to sign-in"  # /accounts/login/?next=…
ADMIN_SIGN_IN = "redirect to the admin's sign-in"  # /admin/login/?next=…
ADMIN_REDIRECT = "redirect within the admin"
FORBIDDEN = "403"
NOT_ALLOWED = "405"
NOT_FOUND = "404"


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302):
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return SIGN_IN
        if location.startswith("/admin/login/"):
            return ADMIN_SIGN_IN
        if location.startswith("/admin/"):
            return ADMIN_REDIRECT
        return f"redirect to {location}"
    return str(status)


# --- Rules


@dataclass(frozen=True)
class Rule:
    name: str
    expected: dict[str, str]


def rule(name: str, default: str, **by_persona: list[str]) -> Rule:
    """A rule: `default` for every persona, except those listed under an outcome's name."""
    expected = dict.fromkeys(PERSONAS, default)
    for result, personas in by_persona.items():
        for persona in personas:
            expected[persona] = OUTCOMES[result]
    return Rule(name, expected)


OUTCOMES = {
    "ok": OK,
    "sign_in": SIGN_IN,
    "admin_sign_in": ADMIN_SIGN_IN,
    "admin_redirect": ADMIN_REDIRECT,
    "forbidden": FORBIDDEN,
    "not_found": NOT_FOUND,
}

PUBLIC = rule("public", OK)
POST_ONLY = rule("anyone, by POST only", NOT_ALLOWED)
SIGNED_IN = rule("signed in", OK, sign_in=[ANONYMOUS])
PLAN_ROLE = rule("any plan role", OK, sign_in=[ANONYMOUS], forbidden=[OUTSIDER])
REVIEW_GROUP = rule(
    "group member or administrator",
    OK,
    sign_in=[ANONYMOUS],
    forbidden=[OUTSIDER, BOARD, OWNER, ANALYST, STEWARD, LEAD],
)
ACTION_OWNER = rule(
    "the action's owner or an administrator",
    OK,
    sign_in=[ANONYMOUS],
    forbidden=[OUTSIDER, BOARD, GROUP, ANALYST, STEWARD, LEAD],
)
AREA_STEWARD = rule(
    "a steward of the whole plan or of the item's priority area, or an administrator",
    OK,
    sign_in=[ANONYMOUS],
    forbidden=[OUTSIDER, BOARD, OWNER, GROUP, ANALYST, LEAD],
)
ADMIN_SIGN_IN_PAGE = rule(
    "the admin's sign-in page: staff are sent on to the admin",
    OK,
    admin_redirect=[STAFF, SUPERUSER],
)


def admin_staff(
    staff: str = OK,
    superuser: str | None = None,
    name: str = "admin staff",
    others: str = ADMIN_SIGN_IN,
) -> Rule:
    """The admin site: staff only; everyone else is sent to the admin's sign-in page."""
    expected = dict.fromkeys(NOT_STAFF, others)
    expected[STAFF] = staff
    expected[SUPERUSER] = superuser or staff
    return Rule(name, expected)


# --- What each URL is opened with


@dataclass
class World:
    """The objects the URLs are opened with."""

    users: dict[str, User] = field(default_factory=dict)
    review: QuarterlyReview | None = None
    action: Action | None = None
    samples: dict[str, object] = field(default_factory=dict)  # "app.model" -> an instance


Args = Callable[[World], dict | tuple]


@dataclass(frozen=True)
class Access:
    rule: Rule
    args: Args = lambda world: {}
    query: str = ""


# The site's own URLs, the accounts pages, the API and the admin's own pages.
ACCESS: dict[str, Access] = {
    # Public pages, CSVs and API (cached, the same for everyone).
    "": Access(PUBLIC),
    "data/": Access(PUBLIC),
    "indicators/": Access(PUBLIC),
    "areas/": Access(PUBLIC),
    "indicators/<int:fingertips_id>/": Access(PUBLIC, lambda w: {"fingertips_id": 92196}),
    "indicators/<int:fingertips_id>/<slug:chart>.csv": Access(
        PUBLIC, lambda w: {"fingertips_id": 92196, "chart": "compare"}
    ),
    "areas/<str:code>/": Access(PUBLIC, lambda w: {"code": "E07000117"}),
    "areas/<str:code>/profile.csv": Access(PUBLIC, lambda w: {"code": "E07000117"}),
    "inequalities/": Access(PUBLIC),
    "methods/what-if/": Access(PUBLIC),
    "indicators/<int:fingertips_id>/what-if/<slug:statement>.csv": Access(
        PUBLIC,
        lambda w: {
            "fingertips_id": 93085,
            "statement": "whatif-infant-mortality-smoking-at-delivery-england",
        },
    ),
    "inequalities/<slug:slug>.csv": Access(
        PUBLIC, lambda w: {"slug": InequalityDataset.objects.order_by("pk").first().slug}
    ),
    "api/v1/indicators/": Access(PUBLIC),
    "api/v1/areas/": Access(PUBLIC),
    "api/v1/observations/": Access(PUBLIC, query="indicator=92196"),
    "api/v1/schema/": Access(PUBLIC),
    "api/v1/whatif/": Access(PUBLIC, query="target=4.5"),
    "healthz/": Access(PUBLIC),
    "api/v1/": Access(PUBLIC),  # the API's index
    "accessibility/": Access(PUBLIC),
    "privacy/": Access(PUBLIC),
    # The action plan.
    "plan/": Access(PLAN_ROLE),
    "plan/areas/<int:number>/": Access(PLAN_ROLE, lambda w: {"number": 1}),
    "plan/reviews/": Access(PLAN_ROLE),
    "plan/reviews/<int:pk>/": Access(PLAN_ROLE, lambda w: {"pk": w.review.pk}),
    "plan/reviews/<int:pk>/areas/<int:number>/rating/": Access(
        REVIEW_GROUP, lambda w: {"pk": w.review.pk, "number": 1}
    ),
    "plan/reviews/<int:pk>/freeze/": Access(REVIEW_GROUP, lambda w: {"pk": w.review.pk}),
    "plan/reviews/<int:pk>/board-pack.pdf": Access(PLAN_ROLE, lambda w: {"pk": w.review.pk}),
    "plan/actions/<int:pk>/update/": Access(ACTION_OWNER, lambda w: {"pk": w.action.pk}),
    "plan/actions/<int:pk>/edit/": Access(AREA_STEWARD, lambda w: {"pk": w.action.pk}),
    "plan/actions/<int:pk>/retire/": Access(AREA_STEWARD, lambda w: {"pk": w.action.pk}),
    "plan/measures/<int:pk>/edit/": Access(
        AREA_STEWARD,
        lambda w: {"pk": PerformanceMeasure.objects.filter(priority_area__number=5).first().pk},
    ),
    "plan/changes/": Access(PLAN_ROLE),
    "plan/my-actions/": Access(PLAN_ROLE),
    "plan/stewards/": Access(PLAN_ROLE),  # read by any role; changed by whole-plan stewards
    "plan/people/": Access(AREA_STEWARD),  # whole-plan stewards and administrators only
    "plan/plans/": Access(PLAN_ROLE),  # every plan, ended ones as archives with their packs
    # The world's plan runs until 2027: the page says the successor starts after it ends.
    "plan/plans/successor/": Access(AREA_STEWARD),  # whole-plan stewards and administrators
    "plan/teams/": Access(PLAN_ROLE),  # read by any role; changed by stewards
    # The plan spreadsheet: whole-plan stewards and administrators (a lead gets 403).
    "plan/spreadsheet/": Access(AREA_STEWARD),
    "plan/spreadsheet/plan.xlsx": Access(AREA_STEWARD),
    "plan/spreadsheet/commit/": Access(POST_ONLY),
    "plan/reviews/<int:pk>/actions/<int:action_pk>/confirm-complete/": Access(
        POST_ONLY, lambda w: {"pk": w.review.pk, "action_pk": w.action.pk}
    ),
    # Accounts (django.contrib.auth.urls).
    "accounts/login/": Access(PUBLIC),
    "accounts/logout/": Access(POST_ONLY),
    "accounts/password_change/": Access(SIGNED_IN),
    "accounts/password_change/done/": Access(SIGNED_IN),
    "accounts/password_reset/": Access(PUBLIC),
    "accounts/password_reset/done/": Access(PUBLIC),
    "accounts/reset/<uidb64>/<token>/": Access(
        PUBLIC, lambda w: {"uidb64": "MQ", "token": "not-a-token"}
    ),
    "accounts/reset/done/": Access(PUBLIC),
    # Two-factor sign-in (imr_dashboard/two_factor.py): nobody here has an app yet, so the code
    # step sends them to add one.
    "accounts/two-factor/": Access(SIGNED_IN),
    "accounts/two-factor/verify/": Access(
        rule(
            "signed in; without an app, sent to add one",
            "redirect to /accounts/two-factor/?next=%2Fplan%2F",
            sign_in=[ANONYMOUS],
        )
    ),
    # Single sign-on (imr_dashboard/sso.py): off unless configured (tests/test_sso.py turns it on).
    "accounts/sso/start/": Access(rule("single sign-on, off", NOT_FOUND)),
    "accounts/sso/callback/": Access(rule("single sign-on, off", NOT_FOUND)),
    # The admin site's own pages.
    "admin/": Access(admin_staff()),
    "admin/login/": Access(ADMIN_SIGN_IN_PAGE),
    # By POST only; anyone not staff is sent to the admin's index, and from there to sign in.
    "admin/logout/": Access(admin_staff(staff=NOT_ALLOWED, others=ADMIN_REDIRECT)),
    "admin/password_change/": Access(admin_staff()),
    "admin/password_change/done/": Access(admin_staff()),
    "admin/autocomplete/": Access(admin_staff(staff=FORBIDDEN)),  # needs a field to look up
    "admin/jsi18n/": Access(admin_staff()),
    "admin/r/<path:content_type_id>/<path:object_id>/": Access(
        admin_staff(staff=NOT_FOUND),  # a user has no page on the site to show
        lambda w: {
            "content_type_id": ContentType.objects.get_for_model(User).pk,
            "object_id": w.users[OUTSIDER].pk,
        },
    ),
    "admin/^(?P<app_label>…)/$": Access(admin_staff(), lambda w: {"app_label": "actionplan"}),
    "admin/(?P<url>.*)$": Access(admin_staff(staff=NOT_FOUND), lambda w: {"url": "no-such-page/"}),
}

# Models in the admin: each one's pages follow the permissions of a staff member's groups. The
# Administrator role holds every permission of the plan's models and none of the others.
ADMIN_MODELS = {
    # app.model: whether its admin keeps history (django-simple-history)
    "actionplan.plan": True,
    "actionplan.priorityarea": True,
    "actionplan.objective": True,
    "actionplan.action": True,
    "actionplan.performancemeasure": True,
    "actionplan.quarterlyreview": True,
    "actionplan.quarterlyupdate": True,
    "actionplan.rating": True,
    "actionplan.updatereminder": False,
    "auth.user": False,
    "auth.group": False,
    "axes.accessattempt": False,
    "axes.accesslog": False,
    "axes.accessfailurelog": False,
    "django_celery_beat.periodictask": False,
    "django_celery_beat.intervalschedule": False,
    "django_celery_beat.crontabschedule": False,
    "django_celery_beat.solarschedule": False,
    "django_celery_beat.clockedschedule": False,
    "otp_totp.totpdevice": False,
    "indicators.peergroup": False,  # analysts' own comparator groups only
}
# Admin add pages nobody may use, superusers included: records written by the system only
# (sign-in records by django-axes, reminders by the reminder task).
NO_ADD = {
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "actionplan.updatereminder",
    "otp_totp.totpdevice",  # people add their own authenticator app
}


def admin_model_access(label: str, history: bool) -> dict[str, Access]:
    app, model = label.split(".")
    plan_model = app == "actionplan"
    base = f"admin/{app}/{model}/"

    def obj(world: World) -> dict:
        return {"object_id": world.samples[label].pk}

    def pages(superuser_result: str = OK) -> Rule:
        staff = superuser_result if plan_model else FORBIDDEN
        return admin_staff(staff=staff, superuser=superuser_result, name=f"admin: {label}")

    entries = {
        base: Access(pages()),
        f"{base}add/": Access(pages(FORBIDDEN if label in NO_ADD else OK)),
        f"{base}<path:object_id>/history/": Access(pages(), obj),
        f"{base}<path:object_id>/delete/": Access(pages(), obj),
        f"{base}<path:object_id>/change/": Access(pages(), obj),
        # The bare object URL redirects to its change page, for any staff member.
        f"{base}<path:object_id>/": Access(admin_staff(staff=ADMIN_REDIRECT), obj),
    }
    if label == "otp_totp.totpdevice":
        # The device's secret and QR code are never shown in the admin (hidden by setting).
        hidden = admin_staff(staff=FORBIDDEN, superuser=FORBIDDEN, name="admin: device secret")
        for view in ("config", "qrcode"):
            entries[f"{base}<int:pk>/{view}/"] = Access(
                hidden, lambda w: {"pk": obj(w)["object_id"]}
            )
    if label == "auth.user":
        entries[f"{base}<id>/password/"] = Access(pages(), lambda w: {"id": w.users[OUTSIDER].pk})
    if history:
        entries[f"{base}^([^/]+)/history/([^/]+)/$"] = Access(
            pages(),
            lambda w: (w.samples[label].pk, w.samples[label].history.first().history_id),
        )
    return entries


for _label, _history in ADMIN_MODELS.items():
    ACCESS |= admin_model_access(_label, _history)


# Local data (localdata/): figures for everyone (disclosure-controlled); uploads and the
# unsuppressed grid for analysts and administrators, who must then give a second factor (none of
# the personas has an authenticator app, so they are sent to add one).
def _analyst_page(path: str, *, method_get: bool = True) -> Rule:
    from urllib.parse import quote

    if not method_get:
        return POST_ONLY
    expected = dict.fromkeys(PERSONAS, FORBIDDEN)
    expected[ANONYMOUS] = SIGN_IN
    for persona in (ANALYST, ADMINISTRATOR, STAFF, SUPERUSER):
        expected[persona] = f"redirect to /accounts/two-factor/?next={quote(path, safe='')}"
    return Rule("analysts and administrators, with a second factor", expected)


# The sample upload's id is fixed (the expected redirects name it), and far from the ids the
# database's sequence hands out, which earlier tests have moved on (rolling back keeps them).
UPLOAD_PK = 9001


def _an_upload(world: World) -> dict:
    from localdata.models import Upload

    upload, _ = Upload.objects.get_or_create(
        pk=UPLOAD_PK,
        defaults={
            "file_name": "access.csv",
            "template": "A",
            "status": "committed",
            "username": "x",
        },
    )
    return {"pk": upload.pk}


ACCESS |= {
    "local/": Access(PUBLIC),
    "local/deprivation/": Access(PUBLIC),
    "local/deprivation.csv": Access(PUBLIC),
    "local/reviews/": Access(PUBLIC),
    "local/measures/": Access(PUBLIC),
    "local/measures.csv": Access(PUBLIC),
    "api/v1/local/deprivation/": Access(PUBLIC),
    "api/v1/local/reviews/": Access(PUBLIC),
    "api/v1/local/measures/": Access(PUBLIC),
    "local/restricted/deprivation/": Access(_analyst_page("/local/restricted/deprivation/")),
    "local/upload/": Access(_analyst_page("/local/upload/")),
    "local/upload/send/": Access(_analyst_page("/local/upload/send/")),
    "local/upload/history/": Access(_analyst_page("/local/upload/history/")),
    "local/upload/templates/<str:code>.csv": Access(
        _analyst_page("/local/upload/templates/A.csv"), lambda w: {"code": "A"}
    ),
    "local/upload/<int:pk>/": Access(_analyst_page(f"/local/upload/{UPLOAD_PK}/"), _an_upload),
    "local/upload/<int:pk>/commit/": Access(POST_ONLY, _an_upload),
    "local/upload/<int:pk>/restore/": Access(POST_ONLY, _an_upload),
    "local/upload/<int:pk>/purge/": Access(
        _analyst_page(f"/local/upload/{UPLOAD_PK}/purge/"), _an_upload
    ),
    "local/upload/<int:pk>/original/": Access(
        _analyst_page(f"/local/upload/{UPLOAD_PK}/original/"), _an_upload
    ),
}


# --- The resolver


@dataclass(frozen=True)
class Pattern:
    key: str  # the full pattern, prefixes joined, as in ACCESS
    name: str | None
    pattern: URLPattern
    prefixes: tuple  # the resolvers above it


APP_LABELS = re.compile(r"\(\?P<app_label>[^)]*\)")


def walk(patterns, prefix: str = "", resolvers: tuple = ()) -> Iterator[Pattern]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern), (*resolvers, p))
        else:
            # The admin's app list names every app with models in it; one rule covers them.
            key = APP_LABELS.sub("(?P<app_label>…)", prefix + str(p.pattern))
            yield Pattern(key, p.name, p, resolvers)


def all_patterns() -> list[Pattern]:
    return list(walk(get_resolver().url_patterns))


def url_for(pattern: Pattern, args: dict | tuple) -> str:
    """The path `pattern` matches with these arguments (named, or positional for a regex)."""
    prefix = "".join(str(r.pattern) for r in pattern.prefixes)
    assert not re.search(r"[<(]", prefix), f"arguments in an include's prefix: {prefix}"
    text = str(pattern.pattern.pattern)
    if isinstance(args, tuple):
        values = iter(args)
        text = re.sub(r"\([^)]*\)", lambda m: str(next(values)), text)
    else:
        for name, value in args.items():
            text = re.sub(rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^)]*\)", str(value), text)
    assert not re.search(r"[<(]", text), f"{pattern.key}: arguments missing from {args}"
    return "/" + prefix + text.strip("^$")


# --- Tests


def test_every_url_pattern_has_an_access_rule():
    missing = [p.key for p in all_patterns() if p.key not in ACCESS]
    assert missing == [], (
        "These URL patterns have no access rule: add each to ACCESS in tests/test_url_access.py "
        "(or, for a model newly in the admin, to ADMIN_MODELS):\n  " + "\n  ".join(missing)
    )


def test_every_access_rule_names_a_pattern_that_exists():
    keys = {p.key for p in all_patterns()}
    assert sorted(set(ACCESS) - keys) == []


def test_every_model_in_the_admin_is_listed():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


def _user(username: str, role: str | None = None, **flags) -> User:
    user = User.objects.create_user(username, password=PASSWORD, **flags)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def world(snapshot) -> World:
    call_command("load_action_plan", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())
    w = World()
    w.users = {
        OUTSIDER: _user("olly"),
        BOARD: _user("alice", roles.BOARD_MEMBER),
        OWNER: _user("bob", roles.ACTION_OWNER),
        GROUP: _user("charlie", roles.GROUP_MEMBER),
        ANALYST: _user("dana", roles.ANALYST),
        ADMINISTRATOR: _user("erin", roles.ADMINISTRATOR),
        STAFF: _user("stella", roles.ADMINISTRATOR, is_staff=True),
        SUPERUSER: User.objects.create_superuser("root", password=PASSWORD),
        STEWARD: _user("sally", roles.PLAN_STEWARD),
        LEAD: _user("liam", roles.PLAN_STEWARD),
    }
    w.action = Action.objects.order_by("pk").first()
    w.action.owner = w.users[OWNER]
    w.action.save()
    plan = w.action.objective.priority_area.plan
    assert w.action.objective.priority_area.number != 2
    AreaSteward.objects.create(plan=plan, priority_area=None, user=w.users[STEWARD])
    AreaSteward.objects.create(
        plan=plan, priority_area=plan.priority_areas.get(number=2), user=w.users[LEAD]
    )
    # The bundled plan ended in March 2023; extended (as a council may) so a 2025 quarter opens.
    type(plan).objects.filter(pk=plan.pk).update(ends=date(2027, 3, 31))
    plan.refresh_from_db()
    w.review = QuarterlyReview.objects.create(plan=plan, financial_year=2025, quarter=1)
    QuarterlyUpdate.objects.create(
        review=w.review,
        action=w.action,
        rag=Rag.GREEN,
        progress_note="On track.",
        author=w.users[OWNER],
    )
    area = PriorityArea.objects.get(plan=plan, number=1)
    Rating.objects.create(
        review=w.review,
        priority_area=area,
        proposed=Rag.GREEN,
        final=Rag.GREEN,
        decided_by=w.users[GROUP],
    )
    # One of each admin model that has none yet.
    apps.get_model("actionplan.updatereminder").objects.create(
        review=w.review, owner=w.users[OWNER], email="bob@example.org", actions="1.1.1"
    )
    AccessAttempt.objects.create(
        username="mallory", ip_address="10.0.0.9", user_agent="test", failures_since_start=1
    )
    AccessLog.objects.create(username="alice", ip_address="10.0.0.8", user_agent="test")
    AccessFailureLog.objects.create(username="mallory", ip_address="10.0.0.9", user_agent="test")
    # Someone outside the personas (whose sign-ins would be held at the code step).
    TOTPDevice.objects.create(user=_user("tess"), name="Authenticator app", confirmed=True)
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    CrontabSchedule.objects.create(minute="0", hour="5", day_of_week="3")
    SolarSchedule.objects.create(event="sunrise", latitude=53.8, longitude=-2.6)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.create(
        name="sample", task="indicators.tasks.refresh_fingertips", interval=interval
    )
    apps.get_model("indicators.peergroup").objects.create(
        kind="custom", name="Sample group", area_code="E10000017", purpose="A sample"
    )
    for label in ADMIN_MODELS:
        model = apps.get_model(label)
        sample = model.objects.order_by("pk").first()
        assert sample is not None, f"make a sample {label} in the world fixture"
        if ADMIN_MODELS[label] and not sample.history.exists():
            sample.save()  # a history record for the admin's history pages
        w.samples[label] = sample
    return w


def test_every_url_follows_its_rule(world):
    clients = {ANONYMOUS: Client()}
    for persona, user in world.users.items():
        clients[persona] = Client()
        clients[persona].force_login(user)

    wrong = []
    checked = 0
    for pattern in all_patterns():
        access = ACCESS.get(pattern.key)
        if access is None:
            wrong.append(f"{pattern.key}: no access rule")
            continue
        url = url_for(pattern, access.args(world))
        if access.query:
            url += "?" + access.query
        for persona in PERSONAS:
            got = outcome(clients[persona].get(url))
            checked += 1
            if got != access.rule.expected[persona]:
                wrong.append(
                    f"{pattern.key} ({access.rule.name}) as {persona}: GET {url} gave {got}, "
                    f"expected {access.rule.expected[persona]}"
                )
    assert wrong == [], "\n".join(wrong)
    assert checked == len(all_patterns()) * len(PERSONAS) > 1000
