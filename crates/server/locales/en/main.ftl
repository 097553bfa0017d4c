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
email-ticket-received-subject = We have received your report: { $subject } { $tag }
email-ticket-received-body =
    Hello,
    your ticket { $number } ({ $subject }) has been received; our staff will contact you within our service commitment.
    Reply to this e-mail to add information, keeping the ticket tag { $tag } in the subject.
    This message was sent automatically.
email-ticket-replied-subject = New reply on ticket { $number } { $tag }
email-ticket-replied-body =
    Hello,
    our staff replied on your ticket { $number } ({ $subject }):
    { $body }
    Reply to this e-mail to continue, keeping the ticket tag { $tag } in the subject.
email-ticket-merchant-replied-subject = The merchant replied on ticket { $number } { $tag }
email-ticket-merchant-replied-body =
    The merchant replied on your ticket { $number } ({ $subject }):
    { $body }
email-ticket-resolved-subject = Ticket { $number } is resolved { $tag }
email-ticket-resolved-body =
    Hello,
    your ticket { $number } ({ $subject }) has been resolved.
    If the problem persists you can reopen it in the merchant portal within 7 days, or reply to this e-mail.
    Please confirm the fix and rate our service (1–5 stars): { $public_url }/feedback/{ $feedback_token }
    Without your confirmation the ticket closes itself after 3 working days.
email-ticket-waiting-merchant-subject = Ticket { $number } needs your reply { $tag }
email-ticket-waiting-merchant-body =
    Hello,
    we need more information to work on your ticket { $number } ({ $subject }); please reply in the merchant portal or to this e-mail.
email-ticket-reopened-subject = Ticket { $number } was reopened { $tag }
email-ticket-reopened-body =
    Your ticket { $number } ({ $subject }) was reopened; please follow up.
email-ticket-assigned-subject = Ticket { $number } is assigned to you { $tag }
email-ticket-assigned-body =
    Ticket { $number } ({ $subject }, priority { $priority }) is assigned to you.
email-ticket-escalated-subject = [Escalation] ticket { $number } { $tag }
email-ticket-escalated-body =
    Ticket { $number } ({ $subject }, priority { $priority }) reached an SLA escalation ({ $escalation }, action { $action }).
    Please look at it now.
email-ticket-late-subject = Ticket { $number } will take longer { $tag }
email-ticket-late-body =
    Hello,
    we are sorry: your ticket { $number } ({ $subject }) cannot be fixed within the committed time.
    Reason: { $reason }
    New expected completion: { $estimate } (Beijing time)
    Reply to this e-mail or call our hotline with any question.
email-ticket-merged-subject = Ticket { $number } was merged into { $into } { $tag }
email-ticket-merged-body =
    Hello,
    your ticket { $number } reports the same problem as ticket { $into } and was merged into it; please follow ticket { $into } from now on.

## Tickets: expected fix, late notices, merge and split

ticket-expected-fix = Expected fix:
ticket-late-notices = Late notices
ticket-late-notice = Tell the merchant the fix will be late
ticket-late-intro = Only when the resolution clock is breached or has less than 2 working hours left; the merchant receives the reason and the new estimate.
ticket-late-reason = Reason for the delay
ticket-late-new-estimate = New expected completion
ticket-late-submit = Send late notice
ticket-merge = Merge a duplicate
ticket-merge-intro = Merge this ticket, as a duplicate, into another active ticket of the same merchant; this ticket's clocks stop.
ticket-merge-target = Merge into (ticket number)
ticket-merge-submit = Merge
ticket-split = Split off a new ticket
ticket-split-submit = Split
ticket-link-merged-into = Merged into
ticket-link-merged-from = Merged from
ticket-link-split-from = Split from
ticket-link-split-into = Split into
ticket-report-photos = Photos or files (optional)
ticket-report-photos-hint = Up to 3, each at most 10 MB (JPEG, PNG, WebP or PDF).

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
import-intro = Upload a CSV or Excel (XLSX) file to add or update terminals by serial number; importing the same file again creates no duplicates.
import-hint = CSV (UTF-8, UTF-16 or GBK/GB18030) or XLSX (the first worksheet is read), at most 64 MiB; the first line is the header: SN,TID,model,manufacturer,status,MID,install date,warranty end,installed address.
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

## Terminal page and bindings

terminal-back = ← Back to terminals
terminal-title = Terminal
terminal-intro = The terminal's data, warranty, current binding (the five items of PBoC notice 259) and full history.
terminal-warranty-today = Warranty today
terminal-history = History
terminal-transition = Change status
terminal-done-moved = The terminal's status was changed.
terminal-history-placed = Placed at { $address } (MID { $mid })
terminal-event-install = Install
terminal-event-activate = Activate
terminal-event-uninstall = Uninstall
terminal-event-suspend = Suspend
terminal-event-reinstate = Reinstate
terminal-event-recover = Recover
terminal-event-send-to-repair = Send to repair
terminal-event-return-to-merchant = Return to merchant
terminal-event-return-to-stock = Return to stock
terminal-event-lend = Lend as loaner
terminal-event-return-loaner = Loaner returned
terminal-event-retire = Retire
terminal-action-bind = Bound
terminal-action-relocate = Relocated
terminal-action-unbind = Unbound
terminal-action-end-binding = Binding ended
terminal-action-import-update = Updated by import
warranty-unknown = No warranty recorded
warranty-not-started = Not installed yet
warranty-in = In warranty
warranty-expired = Out of warranty
binding-current = Current binding
binding-five-items = The acquirer code, merchant number, the merchant's USCC (or owner's ID number), settlement account and placement address the serial number is bound to.
binding-none = This terminal has no current binding.
binding-history = Bindings
binding-started = Started
binding-ended = Ended
binding-end-reason = Why it ended
binding-is-current = Current
binding-end-relocated = Relocated
binding-end-unbound = Unbound
binding-end-status-change = Terminal status change
binding-acquirer-code = Acquirer code
binding-acquirer-hint = 3 digits, the same as the MID's first three.
binding-settlement-account = Settlement account
binding-account-hint = Enter the full card number to check it; only the first 6 and last 4 digits are kept.
binding-placement-address = Placement address
binding-new-address = New placement address
binding-owner-id = Owner's ID number
binding-verified-by = Verified by
binding-note = Verification note
binding-warranty-hint = Leave empty to count the model's warranty months from the install date.
binding-keep-hint = Leave empty to keep the current binding's value.
binding-bind = Bind to a merchant
binding-bind-intro = After verifying the five items, bind the terminal to the merchant and record the installation.
binding-bind-submit = Bind
binding-relocate = Relocate
binding-relocate-intro = After re-verification at the new place, the current binding ends and a new one starts; the old one stays in the record.
binding-reverified = Re-verification
binding-reverified-label = The five items were verified again at the new placement
binding-relocate-submit = Relocate
binding-unbind = Unbind
binding-unbind-intro = Ends the current binding and takes the terminal back to stock.
binding-unbind-reason = Reason
binding-unbind-submit = Unbind
binding-done-bound = The terminal is bound.
binding-done-relocated = The relocation is recorded.
binding-done-unbound = The terminal is unbound.
binding-error-already-bound = This terminal already has a current binding: relocate or unbind it first.
binding-error-not-bound = This terminal has no current binding.
binding-error-placed-elsewhere = This terminal is placed at another merchant: recover it before binding it here.
binding-error-merchant-status = This merchant's status does not allow binding a terminal.

# Merchants: registration, the merchant page (contacts, business hours), merchant import
merchant-new = Register merchant
merchant-new-title = Register a merchant
merchant-new-intro = A registered merchant is pending until its onboarding is approved and its terminals are installed.
merchant-new-submit = Register
merchant-back = ‹ Back to merchants
merchant-edit = Edit merchant
merchant-facts = Registration
merchant-field-kind = Merchant type
merchant-field-owner-id = Owner's ID number
merchant-field-risk = Risk level
merchant-kind-company = Company
merchant-kind-individual = Individual business
merchant-kind-micro = Micro merchant
merchant-kind-hint = A company gives its USCC, a micro merchant its owner's ID number, an individual business either.
merchant-mid-hint = 15 digits (acquirer 3 + region 4 + MCC 4 + serial 4), unique within the provider.
merchant-identity-keep-hint = Leave blank to keep the number on file; fill in to replace it.
merchant-phone-hint = A mobile number (11 digits) or a landline such as 0571-88886666.
merchant-risk-low = Low
merchant-risk-medium = Medium
merchant-risk-high = High
merchant-status-pending = Pending
merchant-status-active = Active
merchant-status-suspended = Suspended
merchant-status-closed = Closed
merchant-contacts = Contacts
merchant-contacts-empty = No contacts on file.
merchant-contacts-edit = Edit contacts
merchant-contacts-hint = Up to 10 contacts, each with a phone; the selected one is the primary contact (none selected: the first). Clear a line to remove that contact.
merchant-contact-name = Name
merchant-contact-role = Role
merchant-contact-primary = Primary contact
merchant-contact-field = contact { $n }'s { $part }
merchant-contact-role-owner = Owner / legal representative
merchant-contact-role-manager = Shop manager
merchant-contact-role-cashier = Cashier
merchant-contact-role-finance = Finance
merchant-contact-role-technical = Technical
merchant-contact-role-other = Other
merchant-hours-empty = No business hours on file.
merchant-hours-edit = Edit business hours
merchant-hours-hint = Per day HH:MM-HH:MM, several separated by commas; blank or closed for a closed day; hours past midnight go on the next day (e.g. 00:00-02:00). All seven blank: hours not stated. Visits are booked inside business hours, firmware upgrades outside them.
merchant-done-created = The merchant is registered.
merchant-done-saved = The merchant is saved.
merchant-done-contacts = The contacts are saved.
merchant-done-hours = The business hours are saved.
merchants-export-csv = Export CSV
merchants-export-xlsx = Export Excel
merchants-import = Bulk import
merchant-import-title = Merchant bulk import
merchant-import-intro = Upload a CSV or Excel (XLSX) file to add or update merchants by MID; importing the same file again creates no duplicates. A blank cell never clears what is on file.
merchant-import-hint = CSV (UTF-8, UTF-16 or GBK/GB18030) or XLSX (the first worksheet is read), at most 64 MiB; the first line is the header: MID, name, type (required), USCC, owner's ID, risk level, division code, address, contact, phone, business hours, status. Business hours like: mon-fri 09:00-21:00; sat 10:00-14:00.
import-format = Format
import-encoding-na = Not applicable
import-export-csv = Export CSV
import-export-xlsx = Export Excel

# Merchant onboarding (入网申请): list, review queue, application page, dashboard count
nav-onboarding = Onboarding
dash-onboarding-desc = Merchant onboarding: documents, review, installation, acceptance, training and activation
dashboard-overdue-reviews = Onboarding reviews past their deadline: { $count }
dashboard-review-queue-link = Open the review queue
flash-onboarding-opened = Application opened. Upload the required documents next.
flash-onboarding-document-uploaded = Document uploaded.
flash-onboarding-document-removed = Document removed.
flash-onboarding-submitted = Application submitted for review.
flash-onboarding-withdrawn = Application withdrawn.
flash-onboarding-approved = Application approved.
flash-onboarding-rejected = Application rejected; the applicant may fix it and resubmit.
flash-onboarding-installation-booked = Installation appointment saved.
flash-onboarding-acceptance-recorded = Acceptance test recorded.
flash-onboarding-training-recorded = Training recorded.
flash-onboarding-fees-recorded = Deposit and fees recorded.
flash-onboarding-activated = Merchant activated.
onboarding-title = Onboarding applications
onboarding-intro = Merchant onboarding: documents, the qualification review (5 working days on the provider's calendar), then an installation visit, acceptance test and training; activation once terminals are bound.
onboarding-clock-hint = Review deadlines follow the provider's working calendar; time left is working time.
onboarding-status-all = All statuses
onboarding-status-draft = Draft
onboarding-status-submitted = Under review
onboarding-status-approved = Approved
onboarding-status-rejected = Rejected
onboarding-status-installation-scheduled = Installation booked
onboarding-status-installed = Installed
onboarding-status-active = Active
onboarding-status-withdrawn = Withdrawn
onboarding-doc-business-licence = Business licence
onboarding-doc-id-card = ID card
onboarding-doc-bank-account-proof = Bank account proof
onboarding-doc-premises-photo = Premises photo
onboarding-doc-other = Other document
onboarding-doc-kind = Document type
onboarding-file = File
onboarding-file-name = File name
onboarding-replaces = Replaces
onboarding-replaces-none = Nothing (add new)
onboarding-reject-reason = Reason for rejection
onboarding-service-point = Service point
onboarding-technician = Technician
onboarding-technician-any = Any (the service point decides)
onboarding-technician-n = Technician { $n } ({ $id })
onboarding-technician-hint = Must be one of the chosen service point's technicians.
onboarding-appointment = Appointment
onboarding-appointment-hint = Beijing time, not in the past.
onboarding-acceptance-notes = Acceptance notes
onboarding-training-notes = Training notes
onboarding-deposit = Deposit
onboarding-deposit-yuan = Deposit (yuan)
onboarding-deposit-is = Deposit { $amount }
onboarding-fee-item = Fee item
onboarding-fee-amount-yuan = Amount (yuan)
onboarding-fee-item-n = Name of fee { $n }
onboarding-fee-amount-n = Amount of fee { $n }
onboarding-fees = Deposit and fees
onboarding-fees-total = Total
onboarding-fees-hint = Amounts in yuan with at most two decimals; blank lines are not recorded.
onboarding-fees-submit = Save deposit and fees
onboarding-error-missing-document = A required document is missing: { $document }. Upload it before submitting.
onboarding-error-no-training = No training has been recorded yet, so the merchant cannot be activated.
onboarding-error-no-terminal = No terminal is bound to this merchant yet, so it cannot be activated.
onboarding-error-merchant-kind = The merchant's kind is not recorded, so the required documents are unknown; set the kind on the merchant's page first.
onboarding-error-open-exists = This merchant already has an open application.
onboarding-error-not-pending = This merchant is not pending onboarding, so no application can be opened.
onboarding-error-documents-frozen = Documents cannot be changed in this status (only drafts and rejected applications).
onboarding-rule-in-past = must not be in the past
onboarding-rule-not-assigned = is not a technician of the chosen service point
onboarding-rule-closed = this service point is closed
onboarding-rule-image-only = a premises photo must be an image (JPEG, PNG or WebP)
onboarding-rule-content-mismatch = the content does not match its type
onboarding-rule-file-types = only PDF, JPEG, PNG or WebP files are accepted
onboarding-working-time = { $hours } h { $minutes } min
onboarding-remaining = { $time } left
onboarding-overdue-by = { $time } overdue
onboarding-overdue = Overdue
onboarding-provisional = Provisional
onboarding-provisional-hint = A year's public holiday schedule is not loaded yet; the deadline may move when it is.
onboarding-submissions = submission { $count }
onboarding-submitted-at = Submitted
onboarding-review-due = Review due
onboarding-time-left = Working time left
onboarding-open = New application
onboarding-open-intro = Open an application for a merchant pending onboarding, then upload the documents and submit it.
onboarding-no-pending = No merchant is pending onboarding.
onboarding-open-submit = Open application
onboarding-back = ← Back to onboarding applications
onboarding-review-title = Onboarding review queue
onboarding-review-intro = Applications waiting for review, the soonest deadline first; overdue ones are marked in red.
onboarding-review-pending = Waiting for review
onboarding-show-all = Show all
onboarding-overdue-only = Overdue only
onboarding-overdue-count = Overdue: { $count }
onboarding-no-overdue = No review is overdue.
onboarding-application = Onboarding application
onboarding-page-title = Onboarding · { $merchant }
onboarding-page-intro = Submit for review once the documents are complete; after approval book the installation, then record acceptance and training and bind terminals to activate.
onboarding-kind-missing = Not recorded
onboarding-rejected-because = Rejected because:
onboarding-rejected-hint = Fix or replace the documents as the reason says, then resubmit.
onboarding-merchant-status = Merchant status
onboarding-terminals = Terminals bound
onboarding-terminals-bound = { $count } terminal(s) bound
onboarding-audit-link = View in the audit trail
onboarding-timeline = Progress
onboarding-by = by { $name }
onboarding-step-created = Opened
onboarding-step-submitted = Submitted for review
onboarding-step-approved = Qualification review passed
onboarding-step-rejected = Rejected
onboarding-step-installation = Installation visit booked
onboarding-step-acceptance = Acceptance test
onboarding-step-training = Training
onboarding-step-fees = Deposit and fees
onboarding-step-terminals = Terminals bound
onboarding-step-activated = Activated
onboarding-step-withdrawn = Withdrawn
onboarding-documents = Documents
onboarding-required = Required documents
onboarding-missing = Missing
onboarding-missing-list = Still missing:{" "}
onboarding-uploaded = Uploaded
onboarding-removed-at = removed
onboarding-remove = Remove
onboarding-no-documents = No document uploaded yet.
onboarding-size-kib = { $kib } KiB
onboarding-upload = Upload a document
onboarding-upload-hint = PDF, JPEG, PNG or WebP, at most 10 MiB; premises photos must be images.
onboarding-upload-submit = Upload
onboarding-submit = Submit for review
onboarding-submit-hint = Possible once every required document is attached; the 5-working-day review clock starts then.
onboarding-review = Qualification review
onboarding-approve = Approve
onboarding-reject = Reject
onboarding-reject-hint = The reason is shown to the applicant (at most 500 characters).
onboarding-book-installation = Book the installation visit
onboarding-move-installation = Move the installation visit
onboarding-installation-submit = Save appointment
onboarding-no-service-points = No service point is open; add one under Service points first.
onboarding-choose = Choose…
onboarding-acceptance = Acceptance test
onboarding-acceptance-hint = Record once installed and the acceptance test (e.g. a test transaction) has passed.
onboarding-acceptance-submit = Record acceptance
onboarding-training = Training
onboarding-training-submit = Save training record
onboarding-activate = Activation
onboarding-activate-submit = Activate merchant
onboarding-withdraw = Withdraw application
onboarding-withdraw-hint = Possible until approval; a withdrawn application cannot be reopened.

binding-rental = Monthly rental (¥)
binding-deposit = Deposit (¥)
binding-yuan-hint = In yuan, up to 2 decimal places; leave empty if none.

## Tickets
nav-tickets = Tickets
nav-my-tickets = My reports
flash-ticket-created = Ticket created.
flash-ticket-updated = Ticket updated.
field-ticket = Ticket
field-ticket-number = Number
field-ticket-subject = Subject
field-ticket-description = Description
field-ticket-category = Category
field-ticket-priority = Priority
field-ticket-channel = Channel
field-ticket-assignee = Assignee
field-ticket-team = Team
field-ticket-event = Status step
field-ticket-action = Bulk action
tickets-title = Tickets
tickets-intro = Tickets by queue; the SLA badge shows the time left on the nearest clock.
tickets-portal-title = My reports
tickets-portal-intro = The faults you reported and when to expect them fixed.
tickets-empty = No tickets.
ticket-views = Ticket queues
ticket-view-mine = Mine
ticket-view-unassigned = Unassigned
ticket-view-due-soon = Due soon
ticket-view-breached = Breached
ticket-view-all = All
ticket-select = Select
ticket-sla = SLA
ticket-expected = Expected fix
ticket-bulk-assign-me = Assign to me
ticket-bulk-set-team = Set team
ticket-back = ← Back to tickets
ticket-new-title = New ticket
ticket-new-intro = Hotline or walk-in intake: pick the merchant (or type the MID), the terminal and the category.
ticket-new-submit = Create ticket
ticket-report-title = Report a fault
ticket-report-intro = Pick the terminal with the fault and describe it; we will handle it as soon as possible.
ticket-report-submit = Send report
ticket-or-mid = or merchant ID (MID)
ticket-merchant-choose = Choose a merchant
ticket-terminal-none = No terminal
ticket-optional = (optional)
ticket-support = Service information
ticket-breached = Breached
ticket-duplicates = Other open tickets on this terminal:
ticket-resolved-at = Resolved
ticket-clocks = SLA clocks
ticket-expected-times = Expected times
ticket-clock = Clock
ticket-deadline = Deadline (Beijing time)
ticket-provisional = provisional
ticket-messages = Messages
ticket-messages-empty = No messages yet.
ticket-internal = Internal note
ticket-reply = Reply to the merchant
ticket-reply-submit = Send reply
ticket-note = Internal note (not shown to the merchant)
ticket-note-submit = Add note
ticket-reopen = Not fixed?
ticket-reopen-intro = A ticket may be reopened within 7 days of its resolution.
ticket-reopen-submit = Reopen
ticket-status-change = Status
ticket-no-events = No step is possible from this status.
ticket-assign = Assignment
ticket-assign-me = Assign to me
ticket-assign-submit = Save assignment
ticket-priority-submit = Change priority
ticket-unassigned = Unassigned
ticket-assigned = Assigned
ticket-sla-remaining = { $duration } left ({ $basis })
ticket-sla-overdue = { $duration } overdue ({ $basis })
ticket-sla-paused = Paused
ticket-sla-none = —
ticket-duration-hm = { $h } h { $m } min
ticket-duration-m = { $m } min
ticket-basis-working = working time
ticket-basis-around-the-clock = around the clock
ticket-status-new = New
ticket-status-open = Open
ticket-status-waiting-merchant = Waiting for merchant
ticket-status-waiting-quote = Waiting for quote approval
ticket-status-waiting-parts = Waiting for parts
ticket-status-in-transit = Device in transit
ticket-status-resolved = Resolved
ticket-status-closed = Closed
ticket-status-merged = Merged
ticket-event-triage = Triage
ticket-event-wait-merchant = Wait for merchant
ticket-event-wait-quote = Wait for quote approval
ticket-event-wait-parts = Wait for parts
ticket-event-await-device = Await device
ticket-event-resume = Resume
ticket-event-resolve = Resolve
ticket-event-reopen = Reopen
ticket-event-close = Close
ticket-event-merge = Merge
ticket-priority-p1 = P1 Urgent
ticket-priority-p2 = P2 Major
ticket-priority-p3 = P3 Normal
ticket-priority-p4 = P4 Question
ticket-category-hardware = Hardware
ticket-category-software = Software
ticket-category-network = Network
ticket-category-card-reading = Card reading
ticket-category-printing = Printing
ticket-category-settlement = Settlement
ticket-category-operation-question = Operation question
ticket-category-other = Other
ticket-channel-hotline = Hotline
ticket-channel-portal = Merchant portal
ticket-channel-email = E-mail
ticket-channel-api = API
ticket-channel-walk-in = Walk-in
ticket-channel-terminal = Terminal
ticket-clock-first-response = First response
ticket-clock-next-update = Next update
ticket-clock-resolution = Resolution
ticket-clock-pending = Not started
ticket-clock-running = Running
ticket-clock-paused = Paused
ticket-clock-met = Met
ticket-clock-breached = Breached

# Mail quarantine (e-mail gateway, issue 5): /mail/quarantine for provider admins.
nav-mail-quarantine = Mail quarantine
mail-quarantine-title = Mail quarantine
mail-quarantine-intro = Inbound e-mail the gateway could not turn into a ticket or a reply. Nothing is lost: download the original message to read it and act on it.
mail-quarantine-received = Received
mail-quarantine-reason = Reason
mail-quarantine-sender = Sender
mail-quarantine-subject = Subject
mail-quarantine-size = Size
mail-quarantine-raw = Original
mail-quarantine-download = Download .eml
mail-quarantine-not-kept = Not kept (over 50 MB)
mail-quarantine-unknown = (unknown)
mail-quarantine-no-subject = (no subject)
mail-quarantine-empty = No quarantined mail.
mail-reason-too-large = Too large (over 50 MB)
mail-reason-unparseable = Could not be parsed
mail-reason-unknown-sender = Unknown sender
mail-reason-not-merchants-ticket = Another merchant's ticket
mail-reason-ticket-closed = Ticket already closed
mail-reason-empty = No text

## Intake look-up and panel (hotline and walk-in entry, /tickets/new)
intake-lookup = Find merchant or terminal
intake-lookup-hint = Type a MID, TID, SN, phone number or merchant name (at least 2 characters); ↑/↓ to choose, Enter to pick, Esc to close.
intake-lookup-submit = Find
intake-no-match = No merchant or terminal matches.
intake-candidates = Matches
intake-matched = Matched on
intake-match-tid = TID
intake-match-sn = SN
intake-match-mid = MID
intake-match-phone = Phone
intake-match-name = Merchant name
intake-no-merchant = Not bound to a merchant
intake-no-terminal = No terminal
intake-panel = Terminal at a glance
intake-panel-empty = Find and pick a terminal to see its warranty, open tickets, recently resolved tickets and firmware here.
intake-duplicates = This terminal already has open tickets; a new report may be a duplicate:
intake-no-open = No open tickets on this terminal.
intake-placement = Placement address
intake-warranty = Warranty
intake-warranty-end = until
intake-recent = Recently resolved tickets (last { $days } days)
intake-recent-note = Until repair orders exist, this lists the terminal's resolved or closed tickets.
intake-no-recent = No tickets resolved recently.

# Ticket attachments (H4): the attachments section of a ticket's page, staff and portal.
attachment-title = Attachments
attachment-empty = No attachments yet.
attachment-unavailable = The attachments cannot be shown right now.
attachment-file = File
attachment-type = Type
attachment-size = Size
attachment-uploader = Uploaded by
attachment-uploaded = Uploaded
attachment-internal = Internal
attachment-kind-text = Text
attachment-choose = Add a file (photo, PDF or log)
attachment-hint = JPEG, PNG or WebP photos, PDF and UTF-8 text logs, up to 10 MB per file.
attachment-visibility = Visible to
attachment-visibility-public = Merchant and staff
attachment-visibility-internal = Staff only
attachment-submit = Upload file
attachment-failed-title = File not uploaded
attachment-back = ← Back to the ticket
attachment-error-no-file = Choose a file to upload.
attachment-error-too-large = The file is larger than the { $max } limit.
attachment-error-type = Only JPEG, PNG or WebP photos, PDF or UTF-8 text files can be attached.
attachment-error-mismatch = The file's content does not match its type.
attachment-error-name = The file name is not valid: at most 200 characters, no paths or control characters.
attachment-error-closed = The ticket is closed or has just changed; no file can be added.
