"""The staff pages' own HTML forms, each protected against cross-site request forgery.

Validator messages are catalogue keys: the template shows them translated.
The CSRF token lives as long as a staff session (12 hours), because a
workplace page stays open all day.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from queue_server.domain.access import STAFF_ROLES
from queue_server.domain.limits import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from queue_server.domain.office import LANGUAGES

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,39}$"


class StaffForm(FlaskForm):
    class Meta:
        csrf_time_limit = 12 * 3600


class SignInForm(StaffForm):
    username = StringField(validators=[
        DataRequired("err_required"), Length(max=64, message="err_too_long"),
    ])
    password = PasswordField(validators=[
        DataRequired("err_required"), Length(max=256, message="err_too_long"),
    ])
    next = HiddenField()


class PlainForm(StaffForm):
    """A form with nothing but its CSRF token (sign out)."""


class LanguageForm(StaffForm):
    language = SelectField(choices=[SelectChoice(code) for code in LANGUAGES])
    next = HiddenField()


class WorkplaceForm(StaffForm):
    workplace = SelectField(validators=[DataRequired("err_required")], choices=[])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountCreateForm(StaffForm):
    name = StringField(validators=[
        DataRequired("err_required"), Regexp(USERNAME_PATTERN, message="err_username"),
    ])
    role = SelectField(choices=[SelectChoice(role) for role in STAFF_ROLES])
    password = PasswordField(validators=[
        DataRequired("err_required"),
        Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH, message="err_password_length"),
    ])
    workplaces = MultiCheckboxField(choices=[])


class AccountUpdateForm(StaffForm):
    role = SelectField(choices=[SelectChoice(role) for role in STAFF_ROLES])
    workplaces = MultiCheckboxField(choices=[])
    active = BooleanField()


class PasswordResetForm(StaffForm):
    password = PasswordField(validators=[
        DataRequired("err_required"),
        Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH, message="err_password_length"),
    ])


class BookingForm(StaffForm):
    """A visitor's contact details for a booking; all optional (personal data, stored
    only in the appointments table).  The chosen slot arrives as the pressed button."""

    name = StringField(validators=[Length(max=100, message="err_too_long")])
    phone = StringField(validators=[Length(max=32, message="err_too_long")])
    email = StringField(validators=[Length(max=120, message="err_too_long")])
    consent = BooleanField()
    needs_help = BooleanField()
    companion = BooleanField()


class ResendForm(StaffForm):
    """One «send again» button on the messages page (the CSRF token is all it carries)."""


class FeedbackRecordForm(StaffForm):
    """A rating a curator takes down from a phone call or a paper form."""

    source = SelectField(choices=[SelectChoice("phone"), SelectChoice("paper")])
    number = StringField(validators=[Length(max=16, message="err_too_long")])
    day = StringField(validators=[Length(max=10, message="err_too_long")])
    rating = SelectField(choices=[SelectChoice(str(value)) for value in (5, 4, 3, 2, 1)])
    comment = TextAreaField(validators=[Length(max=1000, message="err_too_long")])


class FeedbackResponseForm(StaffForm):
    response = TextAreaField(validators=[
        DataRequired("err_required"), Length(max=1000, message="err_too_long"),
    ])
