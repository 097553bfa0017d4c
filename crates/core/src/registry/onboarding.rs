//! The merchant onboarding application (入网申请, seed 001): documents, qualification review,
//! approval or rejection with a reason, installation, acceptance test, training, activation —
//! and the check that uploaded documents are what they claim to be.

use serde::{Deserialize, Serialize};

use super::illegal;
use super::merchant::MerchantKind;
use crate::Timestamp;
use crate::calendar::{Calendar, Reckoned};
use crate::lifecycle::IllegalTransition;
use crate::{FieldError, Rule};

/// Where an onboarding application stands.
///
/// | from | event | to | meaning |
/// |---|---|---|---|
/// | `draft` | `submit` | `submitted` | every required document is attached ([`ApplicationStatus::submit`]) |
/// | `rejected` | `submit` | `submitted` | resubmitted after fixing what the rejection named |
/// | `submitted` | `approve` | `approved` | qualification review and credit check passed |
/// | `submitted` | `reject` | `rejected` | with a [`RejectionReason`] ([`ApplicationStatus::reject`]) |
/// | `approved` | `schedule_installation` | `installation_scheduled` | on-site appointment made |
/// | `installation_scheduled` | `reschedule_installation` | `installation_scheduled` | appointment moved, or the acceptance test failed and a new visit is booked |
/// | `installation_scheduled` | `pass_acceptance` | `installed` | installed, on-site acceptance test passed |
/// | `installed` | `activate` | `active` | training recorded and terminals bound ([`ApplicationStatus::activate`]) |
/// | `draft`, `submitted`, `rejected` | `withdraw` | `withdrawn` | the applicant gives up before approval |
///
/// `active` and `withdrawn` are final. Every other pair is an [`IllegalTransition`].
///
/// [`ApplicationStatus::transition`] is the table alone. `submit`, `reject` and `activate` carry
/// preconditions, so services call the methods of those names, which check the table first
/// (an illegal move is a conflict, whatever the input) and then the precondition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// 草稿: being filled in.
    Draft,
    /// 已提交: waiting for the qualification review.
    Submitted,
    /// 审核通过.
    Approved,
    /// 审核未通过: may be fixed and resubmitted.
    Rejected,
    /// 已预约安装.
    InstallationScheduled,
    /// 已安装验收.
    Installed,
    /// 已开通: final.
    Active,
    /// 已撤回: final.
    Withdrawn,
}
codes!(ApplicationStatus {
    Draft => "draft",
    Submitted => "submitted",
    Approved => "approved",
    Rejected => "rejected",
    InstallationScheduled => "installation_scheduled",
    Installed => "installed",
    Active => "active",
    Withdrawn => "withdrawn",
});

/// What can happen to an application; see [`ApplicationStatus`] for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationEvent {
    /// Submit (or resubmit) for review.
    Submit,
    /// Approve after review.
    Approve,
    /// Reject after review, with a reason.
    Reject,
    /// Book the on-site installation.
    ScheduleInstallation,
    /// Move the booked installation.
    RescheduleInstallation,
    /// Installation done and acceptance test passed.
    PassAcceptance,
    /// Training recorded and terminals bound: the merchant goes live.
    Activate,
    /// The applicant withdraws.
    Withdraw,
}
codes!(ApplicationEvent {
    Submit => "submit",
    Approve => "approve",
    Reject => "reject",
    ScheduleInstallation => "schedule_installation",
    RescheduleInstallation => "reschedule_installation",
    PassAcceptance => "pass_acceptance",
    Activate => "activate",
    Withdraw => "withdraw",
});

/// A guarded onboarding step failed: either the move is not in the table (a conflict) or its
/// precondition is not met (an input error naming the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnboardingError {
    /// The status does not allow the event.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// The precondition failed.
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// What must be true before an installed merchant goes live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActivationChecklist {
    /// The operation training has been given and recorded (seed 001: 培训指导).
    pub training_recorded: bool,
    /// How many terminals are bound to the merchant (at least one).
    pub terminals_bound: u32,
}

impl ApplicationStatus {
    /// The status after `event`, if the table allows it. Checks no precondition.
    pub fn transition(self, event: ApplicationEvent) -> Result<Self, IllegalTransition> {
        use ApplicationEvent as E;
        use ApplicationStatus as S;
        match (self, event) {
            (S::Draft | S::Rejected, E::Submit) => Ok(S::Submitted),
            (S::Submitted, E::Approve) => Ok(S::Approved),
            (S::Submitted, E::Reject) => Ok(S::Rejected),
            (S::Approved, E::ScheduleInstallation) => Ok(S::InstallationScheduled),
            (S::InstallationScheduled, E::RescheduleInstallation) => Ok(S::InstallationScheduled),
            (S::InstallationScheduled, E::PassAcceptance) => Ok(S::Installed),
            (S::Installed, E::Activate) => Ok(S::Active),
            (S::Draft | S::Submitted | S::Rejected, E::Withdraw) => Ok(S::Withdrawn),
            (from, e) => Err(illegal(from.code(), e.code())),
        }
    }

    /// Submit (or resubmit): legal from `draft` or `rejected`, and every document
    /// [`required_documents`] lists for `kind` must be among `documents` (else `required` on
    /// field `documents.<code>` of the first missing one).
    pub fn submit(
        self,
        kind: MerchantKind,
        documents: &[DocumentKind],
    ) -> Result<Self, OnboardingError> {
        let next = self.transition(ApplicationEvent::Submit)?;
        check_documents(kind, documents)?;
        Ok(next)
    }

    /// Reject: legal from `submitted`; the reason is required by the signature.
    pub fn reject(self, _reason: &RejectionReason) -> Result<Self, IllegalTransition> {
        self.transition(ApplicationEvent::Reject)
    }

    /// Activate: legal from `installed`; the training must be recorded (else `required` on
    /// field `training_recorded`) and at least one terminal bound (else `required` on
    /// `terminals`).
    pub fn activate(self, checklist: &ActivationChecklist) -> Result<Self, OnboardingError> {
        let next = self.transition(ApplicationEvent::Activate)?;
        if !checklist.training_recorded {
            return Err(FieldError::new("training_recorded", Rule::Required).into());
        }
        if checklist.terminals_bound == 0 {
            return Err(FieldError::new("terminals", Rule::Required).into());
        }
        Ok(next)
    }

    /// Whether the applicant may still change documents: `draft` and `rejected`.
    pub fn documents_editable(self) -> bool {
        matches!(self, ApplicationStatus::Draft | ApplicationStatus::Rejected)
    }

    /// Whether the operation training may be recorded: once the installation passed its
    /// acceptance test (`installed`), until activation.
    pub fn may_record_training(self) -> bool {
        self == ApplicationStatus::Installed
    }

    /// Whether the deposit and the one-off fees may be recorded: from approval until
    /// activation (`approved`, `installation_scheduled`, `installed`).
    pub fn may_record_fees(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Approved
                | ApplicationStatus::InstallationScheduled
                | ApplicationStatus::Installed
        )
    }

    /// Whether the qualification review clock runs (`submitted`).
    pub fn under_review(self) -> bool {
        self == ApplicationStatus::Submitted
    }

    /// Whether no event leaves this status (`active`, `withdrawn`).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Active | ApplicationStatus::Withdrawn
        )
    }
}

text_newtype!(
    /// Why an application was rejected (驳回原因): 1–500 characters, shown to the applicant.
    RejectionReason,
    "reason",
    1,
    500
);

// ---------------------------------------------------------------------------------------------
// Review clock
// ---------------------------------------------------------------------------------------------

/// The qualification review's default budget (seed 001: 审核周期一般为5个工作日). A provider
/// setting; this is the shipped default.
pub const DEFAULT_REVIEW_WORKING_DAYS: i64 = 5;

/// When the qualification review of an application submitted at `submitted_at` is due:
/// `working_days` working days later on the provider's calendar
/// ([`Calendar::add_working_days`]), flagged provisional when a year's holiday schedule is
/// missing.
pub fn review_due(
    calendar: &Calendar,
    submitted_at: Timestamp,
    working_days: i64,
) -> Reckoned<Timestamp> {
    calendar.reckon_add_days(submitted_at, working_days)
}

/// Where a submitted application's review stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReviewClock {
    /// When the review is due.
    pub due: Timestamp,
    /// The deadline may move when a missing year's holiday schedule is loaded.
    pub provisional: bool,
    /// Past the deadline.
    pub overdue: bool,
    /// Working minutes left until the deadline; negative (working minutes late) once overdue.
    pub remaining_minutes: i64,
}

/// The review clock of an application submitted at `submitted_at`, read at `now`: a pure
/// function of its inputs, so a changed calendar (a schedule loaded, an override added) moves
/// it the next time it is read.
pub fn review_clock(
    calendar: &Calendar,
    submitted_at: Timestamp,
    working_days: i64,
    now: Timestamp,
) -> ReviewClock {
    let due = review_due(calendar, submitted_at, working_days);
    let overdue = now > due.value;
    let remaining_minutes = if overdue {
        -calendar.working_minutes_between(due.value, now)
    } else {
        calendar.working_minutes_between(now, due.value)
    };
    ReviewClock {
        due: due.value,
        provisional: due.provisional,
        overdue,
        remaining_minutes,
    }
}

/// An installation appointment must not lie in the past (`invalid` on `appointment_at`).
pub fn check_appointment(at: Timestamp, now: Timestamp) -> Result<(), FieldError> {
    if at < now {
        return Err(FieldError::new(
            "appointment_at",
            Rule::Invalid {
                reason: "must not be in the past",
            },
        ));
    }
    Ok(())
}

/// Largest onboarding document accepted, in bytes (10 MiB: a phone photo or a multi-page scan).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Checks an uploaded document: not larger than [`MAX_DOCUMENT_BYTES`] (`range` on `file`),
/// content matching its declared type ([`check_declared`]), and a type the document kind
/// accepts (`invalid` on `file`: premises photos must be images).
pub fn check_document(
    kind: DocumentKind,
    declared_mime: &str,
    bytes: &[u8],
) -> Result<ContentKind, FieldError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(FieldError::new(
            "file",
            Rule::Range {
                min: 1,
                max: MAX_DOCUMENT_BYTES as i64,
            },
        ));
    }
    let content = check_declared(declared_mime, bytes)?;
    if !kind.accepts(content) {
        return Err(FieldError::new(
            "file",
            Rule::Invalid {
                reason: "this document must be an image (JPEG, PNG or WebP)",
            },
        ));
    }
    Ok(content)
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/// A document attached to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 营业执照.
    BusinessLicence,
    /// 身份证: the legal representative's or the owner's.
    IdCard,
    /// 银行账户证明: settlement account proof (card photo, account opening licence).
    BankAccountProof,
    /// 经营场所照片: photos of the premises.
    PremisesPhoto,
    /// Anything else the reviewer asks for.
    Other,
}
codes!(DocumentKind {
    BusinessLicence => "business_licence",
    IdCard => "id_card",
    BankAccountProof => "bank_account_proof",
    PremisesPhoto => "premises_photo",
    Other => "other",
});

impl DocumentKind {
    /// Whether a document of this kind may have content `content`: premises photos must be
    /// images (JPEG, PNG, WebP); every other kind may also be a PDF scan.
    pub fn accepts(self, content: ContentKind) -> bool {
        self != DocumentKind::PremisesPhoto || content != ContentKind::Pdf
    }
}

/// The documents an application of `kind` needs before it can be submitted:
///
/// * company: business licence, the legal representative's ID card, bank account proof,
///   premises photo;
/// * individual and micro merchant: the owner's ID card, bank account proof, premises photo.
pub fn required_documents(kind: MerchantKind) -> &'static [DocumentKind] {
    use DocumentKind::*;
    match kind {
        MerchantKind::Company => &[BusinessLicence, IdCard, BankAccountProof, PremisesPhoto],
        MerchantKind::Individual | MerchantKind::Micro => {
            &[IdCard, BankAccountProof, PremisesPhoto]
        }
    }
}

/// The required documents for `kind` that are not among `provided`, in the order of
/// [`required_documents`]. Empty when the application is complete.
pub fn missing_documents(kind: MerchantKind, provided: &[DocumentKind]) -> Vec<DocumentKind> {
    required_documents(kind)
        .iter()
        .copied()
        .filter(|d| !provided.contains(d))
        .collect()
}

/// `Ok` when nothing is missing, else `required` on `documents.<code>` of the first missing one.
fn check_documents(kind: MerchantKind, provided: &[DocumentKind]) -> Result<(), FieldError> {
    match missing_documents(kind, provided).first() {
        Some(d) => Err(FieldError::new(
            format!("documents.{}", d.code()),
            Rule::Required,
        )),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Content sniffing
// ---------------------------------------------------------------------------------------------

/// The file types accepted for uploaded documents, recognised by their leading bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    /// `FF D8 FF`.
    Jpeg,
    /// `89 50 4E 47 0D 0A 1A 0A`.
    Png,
    /// `%PDF-`.
    Pdf,
    /// `RIFF` ⟨size⟩ `WEBP`.
    Webp,
}
codes!(ContentKind {
    Jpeg => "jpeg",
    Png => "png",
    Pdf => "pdf",
    Webp => "webp",
});

/// The MIME types [`check_declared`] accepts, canonical spelling first per kind.
const DECLARED: &[(&str, ContentKind)] = &[
    ("image/jpeg", ContentKind::Jpeg),
    ("image/png", ContentKind::Png),
    ("application/pdf", ContentKind::Pdf),
    ("image/webp", ContentKind::Webp),
    ("image/jpg", ContentKind::Jpeg),
    ("image/pjpeg", ContentKind::Jpeg),
];

impl ContentKind {
    /// The canonical MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            ContentKind::Jpeg => "image/jpeg",
            ContentKind::Png => "image/png",
            ContentKind::Pdf => "application/pdf",
            ContentKind::Webp => "image/webp",
        }
    }

    /// The kind a declared MIME type names: case-insensitive, parameters (`; charset=…`)
    /// ignored; `image/jpg` and `image/pjpeg` are taken as JPEG.
    pub fn from_mime(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        DECLARED
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(essence))
            .map(|(_, k)| *k)
    }
}

/// The content kind `bytes` start with, if it is one of [`ContentKind`].
pub fn sniff(bytes: &[u8]) -> Option<ContentKind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ContentKind::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(ContentKind::Png)
    } else if bytes.starts_with(b"%PDF-") {
        Some(ContentKind::Pdf)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(ContentKind::Webp)
    } else {
        None
    }
}

/// Checks an upload against the MIME type the client declared. Errors, all on field `file`:
/// `required` for no bytes; `one_of` (the canonical MIME types) for a declared type that is not
/// accepted; `invalid` "content does not match its declared type" when the bytes are something
/// else (or nothing recognisable).
pub fn check_declared(declared_mime: &str, bytes: &[u8]) -> Result<ContentKind, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new("file", Rule::Required));
    }
    let declared = ContentKind::from_mime(declared_mime).ok_or_else(|| {
        FieldError::new(
            "file",
            Rule::OneOf {
                allowed: ContentKind::ALL.iter().map(|k| k.mime()).collect(),
            },
        )
    })?;
    if sniff(bytes) != Some(declared) {
        return Err(FieldError::new(
            "file",
            Rule::Invalid {
                reason: "content does not match its declared type",
            },
        ));
    }
    Ok(declared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationEvent as E;
    use ApplicationStatus as S;

    const TABLE: &[(S, E, S)] = &[
        (S::Draft, E::Submit, S::Submitted),
        (S::Rejected, E::Submit, S::Submitted),
        (S::Submitted, E::Approve, S::Approved),
        (S::Submitted, E::Reject, S::Rejected),
        (
            S::Approved,
            E::ScheduleInstallation,
            S::InstallationScheduled,
        ),
        (
            S::InstallationScheduled,
            E::RescheduleInstallation,
            S::InstallationScheduled,
        ),
        (S::InstallationScheduled, E::PassAcceptance, S::Installed),
        (S::Installed, E::Activate, S::Active),
        (S::Draft, E::Withdraw, S::Withdrawn),
        (S::Submitted, E::Withdraw, S::Withdrawn),
        (S::Rejected, E::Withdraw, S::Withdrawn),
    ];

    #[test]
    fn application_transitions_exhaustive() {
        for s in S::ALL {
            for e in E::ALL {
                let want = TABLE
                    .iter()
                    .find(|(f, ev, _)| f == s && ev == e)
                    .map(|t| t.2);
                let got = s.transition(*e);
                assert_eq!(got.clone().ok(), want, "{s:?} {e:?}");
                if let Err(err) = got {
                    assert_eq!((err.from, err.event), (s.code(), e.code()));
                }
            }
            let leaves = E::ALL.iter().any(|e| s.transition(*e).is_ok());
            assert_eq!(!leaves, s.is_final(), "{s:?}");
        }
    }

    #[test]
    fn the_happy_path_and_a_resubmission() {
        let docs = required_documents(MerchantKind::Company);
        let reason = RejectionReason::parse("reason", "营业执照照片不清晰,请重新上传").expect("r");
        let s = S::Draft
            .submit(MerchantKind::Company, docs)
            .expect("submit");
        let s = s.reject(&reason).expect("reject");
        assert!(s.documents_editable());
        let s = s.submit(MerchantKind::Company, docs).expect("resubmit");
        let s = s.transition(E::Approve).expect("approve");
        let s = s.transition(E::ScheduleInstallation).expect("schedule");
        let s = s.transition(E::RescheduleInstallation).expect("reschedule");
        let s = s.transition(E::PassAcceptance).expect("accept");
        let done = ActivationChecklist {
            training_recorded: true,
            terminals_bound: 1,
        };
        assert_eq!(s.activate(&done), Ok(S::Active));
    }

    #[test]
    fn guards_check_the_table_first_then_the_precondition() {
        // Illegal move: a conflict, even with missing documents.
        assert!(matches!(
            S::Approved.submit(MerchantKind::Company, &[]),
            Err(OnboardingError::Illegal(_))
        ));
        // Legal move, missing documents: names the first missing one.
        assert_eq!(
            S::Draft.submit(
                MerchantKind::Company,
                &[DocumentKind::IdCard, DocumentKind::PremisesPhoto]
            ),
            Err(OnboardingError::Field(FieldError::new(
                "documents.business_licence",
                Rule::Required
            )))
        );
        assert_eq!(
            S::Draft.submit(
                MerchantKind::Micro,
                &[DocumentKind::IdCard, DocumentKind::PremisesPhoto]
            ),
            Err(OnboardingError::Field(FieldError::new(
                "documents.bank_account_proof",
                Rule::Required
            )))
        );
        let reason = RejectionReason::parse("reason", "资料不全").expect("r");
        assert!(S::Draft.reject(&reason).is_err());
        assert_eq!(S::Submitted.reject(&reason), Ok(S::Rejected));
        let untrained = ActivationChecklist {
            training_recorded: false,
            terminals_bound: 2,
        };
        let unbound = ActivationChecklist {
            training_recorded: true,
            terminals_bound: 0,
        };
        assert!(matches!(
            S::Approved.activate(&ActivationChecklist::default()),
            Err(OnboardingError::Illegal(_))
        ));
        assert_eq!(
            S::Installed.activate(&untrained),
            Err(OnboardingError::Field(FieldError::new(
                "training_recorded",
                Rule::Required
            )))
        );
        assert_eq!(
            S::Installed.activate(&unbound),
            Err(OnboardingError::Field(FieldError::new(
                "terminals",
                Rule::Required
            )))
        );
    }

    #[test]
    fn required_and_missing_documents() {
        use DocumentKind::*;
        assert_eq!(
            required_documents(MerchantKind::Company),
            &[BusinessLicence, IdCard, BankAccountProof, PremisesPhoto]
        );
        for k in [MerchantKind::Individual, MerchantKind::Micro] {
            assert_eq!(
                required_documents(k),
                &[IdCard, BankAccountProof, PremisesPhoto]
            );
        }
        assert_eq!(
            missing_documents(MerchantKind::Company, &[Other, IdCard, IdCard]),
            vec![BusinessLicence, BankAccountProof, PremisesPhoto]
        );
        assert!(
            missing_documents(
                MerchantKind::Micro,
                &[PremisesPhoto, Other, BankAccountProof, IdCard]
            )
            .is_empty()
        );
        // A micro merchant needs no business licence.
        assert!(
            S::Draft
                .submit(
                    MerchantKind::Micro,
                    &[IdCard, BankAccountProof, PremisesPhoto]
                )
                .is_ok()
        );
        assert!(PremisesPhoto.accepts(ContentKind::Webp));
        assert!(!PremisesPhoto.accepts(ContentKind::Pdf));
        assert!(BusinessLicence.accepts(ContentKind::Pdf));
    }

    #[test]
    fn rejection_reason_is_bounded() {
        assert_eq!(
            RejectionReason::parse("reason", "  ")
                .expect_err("empty")
                .rule,
            Rule::Required
        );
        assert!(RejectionReason::parse("reason", &"缺".repeat(500)).is_ok());
        assert_eq!(
            RejectionReason::parse("reason", &"缺".repeat(501))
                .expect_err("long")
                .rule,
            Rule::TooLong { max: 500 }
        );
        let r: RejectionReason = serde_json::from_str("\" 照片模糊 \"").expect("json");
        assert_eq!(r.as_str(), "照片模糊");
        assert!(serde_json::from_str::<RejectionReason>("\"\"").is_err());
    }

    #[test]
    fn codes_match_serde() {
        fn check<T: Serialize + std::fmt::Display>(values: &[T]) {
            for v in values {
                assert_eq!(serde_json::to_string(v).expect("json"), format!("\"{v}\""));
            }
        }
        check(S::ALL);
        check(E::ALL);
        check(DocumentKind::ALL);
        check(ContentKind::ALL);
        assert_eq!(
            DocumentKind::from_code("bank_account_proof"),
            Some(DocumentKind::BankAccountProof)
        );
        assert_eq!(DocumentKind::from_code("passport"), None);
    }

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
    ];
    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3";
    const WEBP: &[u8] = b"RIFF\x24\x00\x00\x00WEBPVP8 ";

    #[test]
    fn sniffing_by_magic_bytes() {
        assert_eq!(sniff(JPEG), Some(ContentKind::Jpeg));
        assert_eq!(sniff(PNG), Some(ContentKind::Png));
        assert_eq!(sniff(PDF), Some(ContentKind::Pdf));
        assert_eq!(sniff(WEBP), Some(ContentKind::Webp));
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(&[0xFF, 0xD8]), None, "truncated JPEG");
        assert_eq!(sniff(&PNG[..7]), None, "truncated PNG");
        assert_eq!(
            sniff(b"RIFF\x24\x00\x00\x00WAVEfmt "),
            None,
            "RIFF but not WebP"
        );
        assert_eq!(sniff(b"RIFF\x24\x00\x00\x00WEB"), None, "short RIFF");
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b" %PDF-1.7"), None, "magic must be at the start");
    }

    #[test]
    fn declared_type_must_match_content() {
        assert_eq!(check_declared("image/jpeg", JPEG), Ok(ContentKind::Jpeg));
        assert_eq!(check_declared("IMAGE/JPG", JPEG), Ok(ContentKind::Jpeg));
        assert_eq!(check_declared("image/png", PNG), Ok(ContentKind::Png));
        assert_eq!(
            check_declared("application/pdf; name=licence.pdf", PDF),
            Ok(ContentKind::Pdf)
        );
        assert_eq!(check_declared(" image/webp ", WEBP), Ok(ContentKind::Webp));
        let mismatch = FieldError::new(
            "file",
            Rule::Invalid {
                reason: "content does not match its declared type",
            },
        );
        assert_eq!(check_declared("image/png", JPEG), Err(mismatch.clone()));
        assert_eq!(
            check_declared("application/pdf", b"<html>"),
            Err(mismatch.clone())
        );
        assert_eq!(check_declared("image/jpeg", PDF), Err(mismatch));
        assert_eq!(
            check_declared("image/jpeg", b""),
            Err(FieldError::new("file", Rule::Required))
        );
        assert_eq!(
            check_declared("text/html", b"<html>"),
            Err(FieldError::new(
                "file",
                Rule::OneOf {
                    allowed: vec!["image/jpeg", "image/png", "application/pdf", "image/webp"]
                }
            ))
        );
    }

    #[test]
    fn review_is_due_five_working_days_later() {
        let cal = Calendar::national();
        let at = |d: &str, h: u32| {
            crate::calendar::LocalDate::parse(d)
                .expect("date")
                .at(crate::calendar::MinuteOfDay::new(h, 0).expect("time"))
        };
        // Submitted Tuesday 2025-09-30 10:00. 1–8 October are the National Day holiday and
        // Saturday 11 October a make-up working day: the 5 working days are 9, 10, 11, 13 and
        // 14 October.
        let due = review_due(&cal, at("2025-09-30", 10), DEFAULT_REVIEW_WORKING_DAYS);
        assert_eq!(due.value, at("2025-10-14", 10));
        assert!(!due.provisional);
    }

    #[test]
    fn review_clock_counts_working_minutes_either_side_of_the_deadline() {
        let cal = Calendar::national();
        let at = |d: &str, h: u32| {
            crate::calendar::LocalDate::parse(d)
                .expect("date")
                .at(crate::calendar::MinuteOfDay::new(h, 0).expect("time"))
        };
        let submitted = at("2025-09-30", 10);
        // Read on the make-up Saturday 11 October at 10:00: due Tuesday 14th 10:00, so the
        // rest of Saturday, Monday and Tuesday morning remain.
        let c = review_clock(&cal, submitted, 5, at("2025-10-11", 10));
        assert!(!c.overdue);
        let day = cal.working_minutes_between(at("2025-10-13", 0), at("2025-10-14", 0));
        assert_eq!(
            c.remaining_minutes,
            cal.working_minutes_between(at("2025-10-11", 10), at("2025-10-14", 10))
        );
        assert!(c.remaining_minutes > day);
        // Read on Wednesday 15th 10:00: one working day late.
        let late = review_clock(&cal, submitted, 5, at("2025-10-15", 10));
        assert!(late.overdue);
        assert_eq!(late.remaining_minutes, -day);
        // Exactly at the deadline: not yet overdue, nothing left.
        let edge = review_clock(&cal, submitted, 5, at("2025-10-14", 10));
        assert!(!edge.overdue);
        assert_eq!(edge.remaining_minutes, 0);
    }

    #[test]
    fn training_and_fees_have_their_windows() {
        for &s in S::ALL {
            assert_eq!(s.may_record_training(), s == S::Installed, "{s:?}");
            assert_eq!(
                s.may_record_fees(),
                matches!(s, S::Approved | S::InstallationScheduled | S::Installed),
                "{s:?}"
            );
        }
    }

    #[test]
    fn documents_are_checked_for_size_type_and_kind() {
        let png = b"\x89PNG\r\n\x1a\nrest";
        assert_eq!(
            check_document(DocumentKind::PremisesPhoto, "image/png", png),
            Ok(ContentKind::Png)
        );
        let pdf = b"%PDF-1.7 ...";
        assert_eq!(
            check_document(DocumentKind::BusinessLicence, "application/pdf", pdf),
            Ok(ContentKind::Pdf)
        );
        assert_eq!(
            check_document(DocumentKind::PremisesPhoto, "application/pdf", pdf)
                .map_err(|e| e.rule.code()),
            Err("invalid")
        );
        let big = vec![0xFFu8; MAX_DOCUMENT_BYTES + 1];
        assert_eq!(
            check_document(DocumentKind::IdCard, "image/jpeg", &big).map_err(|e| e.rule.code()),
            Err("range")
        );
        assert!(check_appointment(Timestamp::from_millis(10), Timestamp::from_millis(11)).is_err());
        assert!(check_appointment(Timestamp::from_millis(11), Timestamp::from_millis(11)).is_ok());
    }
}
