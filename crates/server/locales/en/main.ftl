## posdesk interface text (English). Keys match locales/zh-CN/main.ftl one to one.

app-name = posdesk Service Desk
footer-text = posdesk · after-sales service for POS payment service providers · all times are Beijing time (Asia/Shanghai)

## Language

lang-zh = 中文
lang-en = English
lang-switch = Switch language

## Roles

role-platform-admin = Platform admin
role-provider-admin = Provider admin
role-agent = Service agent
role-technician = Technician
role-supervisor = Supervisor
role-complaints-officer = Complaints officer
role-risk-officer = Risk officer
role-auditor = Auditor
role-merchant-user = Merchant user
role-terminal-agent = Terminal
role-system = System

## Navigation

nav-label = Main navigation
nav-home = Home
nav-users = Users
nav-audit = Audit trail
nav-announcements = Announcements
nav-merchants = Merchants
nav-terminals = Terminals
nav-providers = Providers
nav-calendar = Calendar
nav-holidays = Public holidays
nav-account = My account
nav-logout = Sign out

## Sign-in

login-title = Sign in
login-intro = Sign in to the posdesk service desk with your account.
login-submit = Sign in
login-help = Forgot your password or account disabled? Contact your provider's administrator.
login-failed = Wrong login or password, or this account cannot sign in.
login-throttled = Too many attempts. Please try again in 15 minutes.
totp-title = Two-step verification
totp-intro = Enter the 6-digit code shown in your authenticator app.
totp-submit = Verify
totp-cancel = Cancel and return to sign-in
totp-failed = The code is wrong or has expired.

## Home

dashboard-title = Home
dashboard-greeting = Hello, { $name } ({ $role })
dashboard-provider = Provider: { $name }
dashboard-announcements = Latest announcements
dashboard-all-announcements = All announcements
dashboard-no-announcements = No published announcements yet.
dash-users-desc = Accounts, roles and sign-in access
dash-audit-desc = Who changed what and when, with before and after
dash-announcements-desc = Maintenance windows, fee changes, holiday service hours
dash-merchants-desc = Contracted merchants and their merchant numbers (MID)
dash-terminals-desc = Terminal serial numbers, terminal IDs and status
dash-providers-desc = Register and view providers (tenants)
dash-account-desc = Profile, password, two-step verification and API tokens
dash-calendar-desc = Business hours, public holidays and make-up days, special dates
dash-holidays-desc = Load the State Council's yearly holiday notice

## Common

save = Save
filter-any = Any
filter-apply = Filter
filter-reset = Reset
select-choose = Choose…
list-empty = No matching records.
page-next = Next page
page-first = Back to first page

## Fields

field-login = Login
field-password = Password
field-initial-password = Initial password
field-new-password = New password
field-current-password = Current password
field-display-name = Name
field-email = E-mail
field-role = Role
field-provider = Provider
field-merchant = Merchant
field-terminal = Terminal
field-locale = Language
field-status = Status
field-created = Created
field-updated = Updated
field-id = ID
field-totp = Two-step verification
field-totp-code = Code
field-name = Name
field-short-name = Short name
field-uscc = Unified social credit code
field-hotline = Service hotline
field-title = Title
field-body = Text
field-audience = Audience
field-expires-days = Valid for days (optional)
field-date-from = From date
field-date-to = To date
field-page = Paging parameter
field-mid = Merchant number (MID)
field-contact = Contact
field-phone = Phone
field-address = Address
field-sn = Serial number (SN)
field-tid = Terminal ID (TID)
field-model = Model
field-manufacturer = Manufacturer
field-firmware = Firmware
field-year = Year
field-date = Date
field-day-rule = Arrangement
field-hours = Hours
field-note = Note
field-weekly-hours = Weekly hours
field-weekday-hours = { $day } hours
field-makeup-weekday = Make-up workdays open as on
field-import-file = File to import
field-schedule = Yearly arrangement

## Hints

hint-login = 3–64 lowercase letters, digits or . _ -, starting with a letter or digit.
hint-email-welcome = A welcome e-mail is sent to this address.
hint-initial-password = At least 10 characters; if left empty, an administrator must reset the password before the user can sign in.
hint-merchant-user = A merchant user sees only the data of their merchant.
hint-terminal-agent = Terminal identities use the API only and cannot sign in to the web.
hint-reset-password = All of the user's sessions end at once; they are told by e-mail.
hint-password-rules = At least 10 characters, not all the same.
hint-disable = Disabling ends the account's sessions and revokes all its API tokens.

## Statuses and categories

status-active = Active
status-disabled = Disabled
status-suspended = Suspended
status-in-stock = In stock
status-installed = Installed
status-in-repair = In repair
status-loaner = Loaner
status-retired = Retired
status-draft = Draft
status-published = Published
status-archived = Archived
audience-staff = Provider staff
audience-merchants = Merchants

## Users

users-title = Users
users-intro = Accounts of provider staff and merchant users.
users-create = New user
users-create-submit = Create user
user-title = User { $login }
user-profile = Account
user-edit = Edit profile
user-disable = Disable account
user-enable = Enable account
user-reset-password = Reset password
user-reset-password-submit = Set new password
user-platform = Platform (no provider)

## Audit

audit-title = Audit trail
audit-intro = Every change, newest first, hash-chained against tampering. Read-only.
audit-time = Time
audit-actor = Actor
audit-role = Role
audit-entity = Record
audit-entity-type = Record type
audit-entity-id = Record ID
audit-action = Action
audit-changes = Changes
audit-show-changes = Show before and after
audit-before = Before
audit-after = After
audit-request-id = Request ID
audit-timezone = Dates are Beijing time (UTC+8); the "to" date is included.
entity-user = User
entity-provider = Provider
entity-announcement = Announcement
entity-api-token = API token
entity-merchant = Merchant
entity-terminal = Terminal
entity-webhook = Webhook
entity-holiday-year = National holiday year
entity-calendar = Calendar
entity-calendar-day = Special date
action-create = Create
action-update = Update
action-disable = Disable
action-enable = Enable
action-reset-password = Reset password
action-change-password = Change password
action-enable-totp = Enable two-step verification
action-disable-totp = Disable two-step verification
action-login = Sign in
action-login-password = Password accepted (second step pending)
action-logout = Sign out
action-publish = Publish
action-archive = Archive
action-revoke = Revoke
action-deactivate = Deactivate
action-replace = Replace
action-remove = Remove

## Announcements

announcements-title = Announcements
announcements-intro = Maintenance windows, fee changes, holiday service hours and other notices.
announcements-empty = No announcements yet.
announcements-create = New announcement
announcements-create-submit = Save announcement
announcements-publish-now = Publish now
announcements-publish = Publish
announcements-archive = Archive
announcements-created = Created
announcements-published = Published

## Providers, merchants, terminals

providers-title = Providers
providers-intro = Providers (tenants) on this platform; each provider's data is kept apart.
providers-create = Register a provider
providers-create-submit = Register
merchants-title = Merchants
merchants-intro = The merchants you may see.
terminals-title = Terminals
terminals-intro = The terminals you may see.

## Calendar

calendar-title = Calendar
calendar-intro = Ticket clocks run on this calendar: the weekly hours, then the public holidays and make-up workdays published by the State Council General Office, then this provider's special dates.
calendar-holidays-link = See the national holiday arrangements
calendar-year = { $year }
calendar-this-year = Back to this year
calendar-missing-years = No national holiday arrangement is loaded for { $years }: those days only get weekends and the fixed-date holidays (1 January, 1 May, 1–3 October) off, so clocks over them are provisional and may change once it is loaded. The platform admin must load the State Council General Office's notice.
calendar-legend = Legend
calendar-grid-hint = Hover over a date to see its arrangement, the reason and the hours; on a phone, see the list of holidays and special dates below.
calendar-special-days = Holidays, make-up workdays and special dates in { $year }
calendar-weekly = Weekly hours
calendar-hours-hint = Write HH:MM-HH:MM, several separated by commas, e.g. 08:30-12:00,13:30-17:30; closed (or empty) for no hours.
calendar-makeup-hint = Weekend days the State makes working days (调休) open with the hours of this weekday.
calendar-hours-submit = Save hours
calendar-error-no-hours = At least one day of the week needs opening hours.
calendar-overrides = Special dates
calendar-overrides-intro = This provider's own days off, extra working days or special hours; they take precedence over the national arrangement.
calendar-overrides-empty = No special dates.
calendar-override-remove = Remove
calendar-override-gone = { $date } has no special arrangement (it may have been removed); see the current list.
calendar-override-add = Add or replace a special date
calendar-override-submit = Save
calendar-override-hint = Saving a date again replaces its arrangement. "Open (make-up workday hours)" opens with the hours of the weekday chosen for make-up workdays under Weekly hours.
calendar-note-placeholder = e.g. staff party, system upgrade
calendar-import-export = Import and export
calendar-export-csv = Export CSV
calendar-export-ics = Export iCalendar (.ics)
calendar-export-hint = Exports this provider's special dates, for a spreadsheet or a calendar app.
calendar-import = Import special dates
calendar-import-hint = CSV (date,off or work,name per line) or iCalendar (all-day events), UTF-8 encoded.
calendar-import-paste = Or paste the content
calendar-import-placeholder = 2026-03-11,off,staff party
calendar-import-replace = Replace all existing special dates (unticked: merge)
calendar-import-submit = Import
calendar-import-not-utf8 = The file is not UTF-8 text. From Excel, save it as "CSV UTF-8 (comma delimited)" and import that.
legend-work = Working day
legend-off = Day off
legend-holiday = Public holiday
legend-makeup = Make-up workday (调休)
legend-provisional = Provisional (not loaded)
legend-override = Provider's special date
legend-today = Today
day-date = { $weekday }, { $date }
day-kind-work = Open
day-kind-off = Closed
day-mark-off = off
day-mark-work = on
day-hours = Hours { $hours }
day-provisional = The year's national arrangement is not loaded: provisional, may change.
day-reason-weekly-work = weekly hours
day-reason-weekly-off = closed by the weekly hours
day-reason-holiday = public holiday: { $name }
day-reason-makeup = make-up workday: { $name }
day-reason-provisional-holiday = public holiday (provisional): { $name }
day-reason-override = provider's special date
day-reason-override-note = provider's special date: { $note }
day-rule-closed = Closed all day
day-rule-open = Open (make-up workday hours)
day-rule-hours = Special hours
hours-closed = Closed
date-range = { $from } – { $to } ({ $count } days)
list-separator = { ", " }
weekday-mon = Monday
weekday-tue = Tuesday
weekday-wed = Wednesday
weekday-thu = Thursday
weekday-fri = Friday
weekday-sat = Saturday
weekday-sun = Sunday
weekday-short-mon = Mo
weekday-short-tue = Tu
weekday-short-wed = We
weekday-short-thu = Th
weekday-short-fri = Fr
weekday-short-sat = Sa
weekday-short-sun = Su
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## National holiday arrangements

holidays-title = Public holidays
holidays-intro = The State Council General Office's yearly holiday arrangement, the same for every provider. A year not loaded only gets weekends and the fixed-date holidays off, and clocks over it are provisional.
holidays-missing = No national holiday arrangement is loaded for { $years }: clocks over those days are provisional. Ask the platform admin to load the State Council General Office's notice.
holidays-missing-manage = No national holiday arrangement is loaded for { $years }: clocks over those days are provisional. Once the State Council General Office publishes the notice, load it with the "Load a year" form.
holidays-origin = Origin
holidays-origin-builtin = Built in
holidays-origin-loaded = Loaded
holidays-sources = Notices
holidays-days-off = Days off
holidays-make-up-days = Make-up workdays
holidays-loaded-by = Loaded by
holidays-loaded-at = Loaded at
holidays-table-hint = "Built in" years ship with the program; a "Loaded" year replaces the built-in one.
holidays-load = Load a year
holidays-load-intro = Paste one or more years. Every line is checked first and nothing is stored unless all are valid; a year loaded before is replaced.
holidays-load-submit = Check and load
holidays-format = Format
holidays-format-year = starts a year's arrangement
holidays-format-source = the notice's number and title, at least one per year
holidays-format-off = days off (a range includes both ends) and the holiday's name
holidays-format-work = a make-up workday (a Saturday or Sunday) and the holiday's name
holidays-format-example = Example (format only; follow the notice itself):

## My account

account-title = My account
account-profile = Profile
account-change-password = Change password
account-change-password-submit = Change password
totp-section = Two-step verification (TOTP)
totp-on = On
totp-off = Off
totp-enrol-intro = Add the key below to your authenticator app (or import the otpauth link), then enter the code it shows to turn verification on.
totp-secret = Key (Base32)
totp-uri = otpauth link
totp-enable = Turn on
totp-disable-intro = Enter a current code to turn two-step verification off.
totp-disable = Turn off two-step verification
tokens-title = API tokens
tokens-intro = Call the posdesk API as yourself, with no more rights than your role.
tokens-empty = No tokens yet.
tokens-create = Create token
tokens-issued = New token created
tokens-issued-once = Copy it now: this token is shown only once.
tokens-prefix = Prefix
tokens-expires = Expires
tokens-last-used = Last used
tokens-revoke = Revoke
token-never = Never
token-state-active = Active
token-state-expired = Expired
token-state-revoked = Revoked

## Results

flash-logged-out = You have signed out.
flash-language-changed = Language changed.
flash-user-created = User created.
flash-user-saved = Profile saved.
flash-user-disabled = Account disabled.
flash-user-enabled = Account enabled.
flash-password-reset = Password reset.
flash-announcement-created = Announcement saved.
flash-announcement-published = Announcement published.
flash-announcement-archived = Announcement archived.
flash-provider-created = Provider registered.
flash-password-changed = Password changed; your sessions on other devices have ended.
flash-totp-enabled = Two-step verification is on; you will be asked for a code at your next sign-in.
flash-totp-disabled = Two-step verification is off.
flash-token-revoked = Token revoked.
flash-calendar-hours-saved = Weekly hours saved.
flash-calendar-override-saved = Special date saved.
flash-calendar-override-removed = Special date removed.
flash-calendar-imported = Import done: { $added } added, { $replaced } replaced, { $removed } removed, { $unchanged } unchanged.
flash-holidays-loaded = National holiday arrangement loaded for { $years }.

## Errors

error-title = This could not be done
error-home = Back to home
error-forbidden-title = Not allowed
error-forbidden = Your role may not do this or see this page.
error-not-found-title = Not found
error-not-found = This page or record does not exist, or does not belong to your provider.
error-throttled-title = Too many requests
error-throttled = Too many attempts. Please try again later.
error-internal-title = System error
error-internal = Something went wrong. Please try again; if it keeps happening, contact the platform administrator.
error-unavailable = The service is temporarily unavailable. Please try again shortly.
error-unauthenticated = Please sign in first.
error-csrf = The form has expired or did not come from this site (security check failed); nothing was changed. Go back, reload the page and submit again.
error-too-large = The submitted content is too large.
error-bad-request = The request is malformed.
error-field = { $field }: { $rule }
error-taken = { $field } is already taken; please choose another.
error-illegal-transition = This cannot be done in the record's current state; reload the page to see it.
error-self-disable = You cannot disable your own account.
error-already-revoked = This token is already revoked.
error-totp-off = Two-step verification is not on.
error-conflict = This conflicts with the record's current state; reload and try again.
error-stale = Someone else changed this record in the meantime. Reload the page, redo your edit on the latest version and save again.
rule-required = required
rule-too-short = at least { $min } characters
rule-too-long = at most { $max } characters
rule-pattern = wrong format
rule-one-of = not one of the allowed values
rule-range = must be between { $min } and { $max }
rule-invalid = invalid
rule-line = invalid on line { $line }: { $message }

## E-mail

email-welcome-subject = Your posdesk account is ready
email-welcome-body =
    Hello { $name },
    a posdesk service desk account has been opened for you. Your login is { $login }.
    If no initial password was set, ask your provider's administrator for one.
    This message was sent automatically; please do not reply.
email-password-reset-subject = Your posdesk password was reset
email-password-reset-body =
    Hello { $name },
    an administrator has reset the password of your posdesk account (login { $login }); all your earlier sessions have ended.
    If you did not expect this, contact your provider's administrator at once.
    This message was sent automatically; please do not reply.

## Provider profile

nav-provider = Provider profile
dash-provider-desc = Licence, hotlines, warranty policy and fee schedule
dashboard-licence-expires-soon = Your payment licence (or acquirer authorisation) expires in { $days } days: renew it and update the profile.
dashboard-licence-expired = Your payment licence (or acquirer authorisation) expired { $days } days ago: update the profile now.
dashboard-licence-link = Open the provider profile
profile-title = Provider profile
profile-licence = Licence
profile-licence-valid = Validity
profile-licence-validity = { $from } to { $to }
licence-valid = Valid
licence-expires-soon = Expires soon ({ $days } days left)
licence-expired = Expired ({ $days } days ago)
licence-not-yet-valid = Not yet valid
licence-missing = Not recorded
licence-kind-none = Not recorded
licence-kind-payment = Payment business licence
licence-kind-bank = Acquirer authorisation
profile-service = Service
profile-none = Not given
profile-months = { $months } months
profile-fees = Fee schedule
profile-fees-empty = No fee schedule published yet.
profile-edit = Edit profile
profile-submit = Save profile
profile-hotlines-hint = One number per line, at most 5 (mobile or landline, e.g. 0571-88886666).
profile-warranty-hint = One model per line: model,months (e.g. A920,24); models not listed get the default.
profile-warranty-columns = expected "model,months"
profile-fees-hint = One item per line: code,name,kind,price (yuan),unit, e.g. LAB-ONSITE,On-site visit,labour,50.00,visit. Kind is part, labour or other; at most two decimals.
profile-fees-columns = expected "code,name,kind,price,unit"
profile-logo = Logo
profile-logo-file = Logo image
profile-logo-hint = PNG, JPEG or WebP, at most 256 KiB.
profile-logo-submit = Upload logo
fee-kind-part = Part
fee-kind-labour = Labour
fee-kind-other = Other
field-licence-kind = Licence kind
field-licence-number = Licence number
field-licence-valid-from = Valid from
field-licence-valid-to = Valid to
field-hotlines = Hotlines
field-service-hours = Service hours
field-warranty-policy = Warranty policy
field-warranty-default = Default warranty (months)
field-warranty-months = Warranty
field-warranty-months-by-model = Warranty by model
field-fees = Fee schedule
field-fee-item = Fee item { $n } { $part }
field-fee-code = Code
field-fee-kind = Kind
field-price = Price
field-unit = Unit
field-version = Version
flash-profile-saved = Provider profile saved.
flash-logo-saved = Logo updated.
flash-service-point-created = Service point created.
flash-service-point-saved = Service point saved.
nav-service-points = Service points
dash-service-points-desc = Service points by region, opening hours, skills and technicians

## Service points

service-points-title = Service points
service-points-intro = Your service points by province: opening hours, the services they offer and their technicians.
service-points-empty = No service points yet.
service-points-create = New service point
service-points-create-submit = Create service point
service-points-back = ‹ Back to service points
service-points-division-hint = 6-digit administrative division code (city or district level, e.g. 330106 Xihu District, Hangzhou).
service-points-technicians-hint = Hold Ctrl (⌘ on a Mac) to choose several; only your provider's active technicians.
service-point-active = Open
service-point-inactive = Closed down
service-point-active-label = Open (untick to close it down)
service-point-edit = Edit service point
service-point-calendar-intro = Reckoned with this point's opening hours, national holidays, your provider's special dates and this point's own.
field-division-code = Division code
field-skills = Services
field-technicians = Technicians
skill-install = Installation
skill-hardware-repair = Hardware repair
skill-peripherals = Card readers and printers
skill-software = Software, firmware, parameters
skill-network = Network
skill-training = Merchant training
skill-mail-in = Mail-in repair

## Terminal import

terminals-export = Export CSV
terminals-import = Bulk import
import-title = Terminal bulk import
import-back = ‹ Back to terminals
import-intro = Upload a CSV file to add or update terminals by serial number; importing the same file again creates no duplicates.
import-hint = CSV in UTF-8, UTF-16 or GBK (GB18030), at most 64 MiB; the first line is the header: SN,TID,model,manufacturer,status,MID,install date,warranty end,installed address.
import-submit = Import
import-summary = Import result
import-rows = Data rows
import-inserted = Added
import-updated = Updated
import-unchanged = Unchanged
import-rejected = Rejected
import-encoding = Encoding
import-encoding-unknown = Not recognised
import-rejected-rows = Rejected rows
import-row = Row
import-column = Column
import-rule = Reason
import-truncated = Only the first 1,000 rows are listed; fix them and import again.
field-install-date = Install date
field-warranty-end = Warranty end
field-installed-address = Installed address
service-point-technician-count = { $count } technician(s)
