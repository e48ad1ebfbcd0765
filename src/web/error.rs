//! What can go wrong answering a request, and how each failure looks to people and programs.
//!
//! [`WebError::code`] and [`WebError::status`] are the one table mapping every failure to a
//! stable machine code and an HTTP status. The same error renders twice: as a friendly page in
//! the visitor's language ([`PageError`]) and as `{"code", "message"}` for the JSON API
//! ([`ApiError`]).

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use super::i18n::Lang;
use crate::accounts::{AccountsError, Role};
use crate::archive::inbox::InboxError;
use crate::index_updates::UpdateError;
use crate::moderation::ModerationError;
use crate::search::QueryError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No page or site at this address.
    #[error("nothing here: {what}")]
    NotFound { what: String },
    /// A search or suggestion request that cannot be answered as asked.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A parameter of a non-search page is malformed.
    #[error("invalid `{name}` value {value:?}: expected {expected}")]
    InvalidParameter {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    /// A template failed: a bug, caught by the tests of every page.
    #[error("page template `{template}` failed: {source}")]
    Render {
        template: &'static str,
        source: minijinja::Error,
    },
    /// A page for logged-in users, asked for without a session (or after it ended).
    #[error("log in to do this — your session may have ended")]
    SignInRequired,
    /// Logged in, but the role does not allow this.
    #[error("your account is a {has}; this needs a {needed} account — ask an administrator")]
    Forbidden { needed: Role, has: Role },
    /// Logged in with a one-time password: a password of one's own must be chosen first.
    #[error("choose a password of your own first — the one you were given works only once")]
    PasswordChangeRequired,
    /// A team, an invitation or a membership refused or failed.
    #[error(transparent)]
    Teams(#[from] crate::teams::TeamError),
    /// A campaign or a task refused or failed.
    #[error(transparent)]
    Campaigns(#[from] crate::campaigns::CampaignError),
    /// A write that says it comes from another site.
    #[error("this form was sent from another site — open the page on this site and send it again")]
    CrossSite,
    /// A request body over its limit.
    #[error("the {what} is too large (the limit is {}) — send less at a time", size_text(*limit_bytes))]
    TooLarge {
        what: &'static str,
        limit_bytes: u64,
    },
    /// Login, session or CSRF failures, and account storage errors.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// A submission or upload refused or failed.
    #[error(transparent)]
    Inbox(#[from] InboxError),
    /// A moderation step refused or failed.
    #[error(transparent)]
    Moderation(#[from] ModerationError),
    /// The live index could not be updated (the archive change itself is saved).
    #[error(transparent)]
    IndexUpdate(#[from] UpdateError),
    /// A draft sent from a phone that the forms' rules refuse (the messages are by field).
    #[error("the draft needs a fix before it can be sent")]
    InvalidDraft,
    /// A request line longer than the server reads.
    #[error(
        "the address is too long (the limit is {limit_bytes} bytes) — shorten the search or the link"
    )]
    UriTooLong { limit_bytes: usize },
    /// A published site whose record can no longer be read from the archive (removed or broken
    /// by hand since the last ingest): its pages wait for the record to be fixed.
    #[error(
        "this site's record cannot be read right now ({0}) — the archive is being repaired; try again later"
    )]
    Record(Box<crate::web::catalog::records::UnreadableRecord>),
    /// The server's worker pool is gone (it is shutting down).
    #[error("the server is stopping or overloaded — try again in a minute")]
    Unavailable,
    /// The OAI-PMH provider could not read the index (details in the log).
    #[error(transparent)]
    Harvest(#[from] crate::open_data::oai::OaiFailure),
    /// The QR code could not be drawn (the URL is too long for a QR code).
    #[error("the QR code for {url} cannot be drawn: {source}")]
    Qr {
        url: String,
        source: qrcode::types::QrError,
    },
}

impl From<crate::web::catalog::records::UnreadableRecord> for WebError {
    fn from(e: crate::web::catalog::records::UnreadableRecord) -> Self {
        WebError::Record(Box::new(e))
    }
}

/// A byte limit as people read it: KB under a megabyte, MB above.
fn size_text(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{} MB", bytes.div_ceil(1024 * 1024))
    }
}

impl WebError {
    pub fn not_found(what: impl Into<String>) -> Self {
        WebError::NotFound { what: what.into() }
    }

    /// The table: every failure's stable code and HTTP status.
    pub fn code(&self) -> &'static str {
        self.entry().0
    }

    pub fn status(&self) -> StatusCode {
        self.entry().1
    }

    fn entry(&self) -> (&'static str, StatusCode) {
        match self {
            WebError::NotFound { .. } => ("not_found", StatusCode::NOT_FOUND),
            WebError::Query(e) if e.is_client_error() => ("invalid_query", StatusCode::BAD_REQUEST),
            WebError::Query(_) => ("search_failed", StatusCode::INTERNAL_SERVER_ERROR),
            WebError::InvalidParameter { .. } => ("invalid_parameter", StatusCode::BAD_REQUEST),
            WebError::Render { .. } => ("render_failed", StatusCode::INTERNAL_SERVER_ERROR),
            WebError::Qr { .. } => ("qr_failed", StatusCode::INTERNAL_SERVER_ERROR),
            WebError::Harvest(_) => ("harvest_failed", StatusCode::INTERNAL_SERVER_ERROR),
            WebError::SignInRequired => ("sign_in_required", StatusCode::UNAUTHORIZED),
            WebError::Forbidden { .. } => ("forbidden", StatusCode::FORBIDDEN),
            WebError::CrossSite => ("cross_site", StatusCode::FORBIDDEN),
            WebError::PasswordChangeRequired => ("password_change_required", StatusCode::FORBIDDEN),
            WebError::Teams(e) => teams_entry(e),
            WebError::Campaigns(e) => campaigns_entry(e),
            WebError::TooLarge { .. } => ("too_large", StatusCode::PAYLOAD_TOO_LARGE),
            WebError::Accounts(e) => accounts_entry(e),
            WebError::Inbox(e) => inbox_entry(e),
            WebError::Moderation(e) => moderation_entry(e),
            WebError::IndexUpdate(_) => ("index_update_failed", StatusCode::INTERNAL_SERVER_ERROR),
            WebError::Unavailable => ("unavailable", StatusCode::SERVICE_UNAVAILABLE),
            WebError::InvalidDraft => ("invalid_draft", StatusCode::UNPROCESSABLE_ENTITY),
            WebError::UriTooLong { .. } => ("uri_too_long", StatusCode::URI_TOO_LONG),
            WebError::Record(_) => ("record_unreadable", StatusCode::SERVICE_UNAVAILABLE),
        }
    }

    /// The message shown to the visitor: the details of a client error (they help fix the
    /// request), a generic sentence for server errors (whose details go to the log).
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() {
            "the server failed to answer this request; it has been logged".to_owned()
        } else {
            self.to_string()
        }
    }

    /// [`Self::public_message`] in the reader's language. The failures a volunteer or
    /// moderator meets on the site's own forms read in Vietnamese on Vietnamese pages; the
    /// rest (mostly precise details of a file or a field) stay in English there for now.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.public_message();
        }
        let role = |r: &Role| match r {
            Role::Visitor => "khách",
            Role::Volunteer => "tình nguyện viên",
            Role::Leader => "đội trưởng",
            Role::Moderator => "người kiểm duyệt",
            Role::Admin => "quản trị viên",
        };
        match self {
            WebError::SignInRequired
            | WebError::Accounts(AccountsError::NoSession | AccountsError::SessionExpired) => {
                "Hãy đăng nhập để làm việc này — phiên đăng nhập có thể đã hết hạn.".into()
            }
            WebError::Forbidden { needed, has } => format!(
                "Tài khoản của bạn là {}; việc này cần tài khoản {} — hãy hỏi quản trị viên.",
                role(has),
                role(needed)
            ),
            WebError::CrossSite => "Biểu mẫu này được gửi từ một trang web khác — hãy mở trang \
                 ngay trên Di sản rồi gửi lại."
                .into(),
            WebError::TooLarge { limit_bytes, .. } => format!(
                "Nội dung gửi lên quá lớn (giới hạn {}) — hãy gửi ít hơn mỗi lần.",
                size_text(*limit_bytes)
            ),
            WebError::Inbox(InboxError::Quota {
                what,
                limit,
                retry_minutes,
            }) => {
                let what = match *what {
                    "submissions an hour" => "đóng góp mỗi giờ",
                    "photos being sent at once" => "ảnh đang gửi cùng lúc",
                    _ => "MB ảnh mỗi ngày",
                };
                let retry = if *retry_minutes > 0 {
                    format!("; hãy thử lại sau {retry_minutes} phút")
                } else {
                    String::new()
                };
                format!(
                    "Bạn đã đạt giới hạn {limit} {what}{retry} — hãy gửi xong những ảnh đang \
                     gửi, hoặc nhờ người kiểm duyệt nâng giới hạn."
                )
            }
            WebError::Moderation(ModerationError::OwnSubmission) => {
                "Đây là đóng góp của bạn — một người kiểm duyệt khác cần duyệt nó (quản trị viên \
                 có thể tự duyệt, và việc đó được ghi lại)."
                    .into()
            }
            WebError::UriTooLong { limit_bytes } => format!(
                "Địa chỉ trang quá dài (giới hạn {limit_bytes} byte) — hãy rút ngắn từ khoá tìm \
                 kiếm hoặc đường dẫn."
            ),
            WebError::Accounts(AccountsError::BadCsrfToken) => {
                "Mã bảo mật của biểu mẫu không khớp với phiên đăng nhập — hãy tải lại trang rồi \
                 gửi lại."
                    .into()
            }
            WebError::Accounts(AccountsError::BadCredentials) => {
                "Sai tên tài khoản hoặc mật khẩu.".into()
            }
            WebError::Accounts(AccountsError::Throttled(t)) => {
                let wait = match t.retry_after.as_secs() {
                    s if s < 60 => format!("{} giây", s.max(1)),
                    s => format!("{} phút", s.div_ceil(60)),
                };
                format!("Đăng nhập sai quá nhiều lần — hãy đợi {wait} rồi thử lại.")
            }
            WebError::Accounts(AccountsError::Disabled { .. }) => {
                "Tài khoản này đã bị khoá — hãy hỏi quản trị viên.".into()
            }
            WebError::Accounts(AccountsError::UserExists { name }) => {
                format!("Đã có tài khoản tên “{name}” — hãy chọn tên khác.")
            }
            WebError::Accounts(AccountsError::BadUserName { .. }) => {
                "Tên tài khoản chỉ gồm 2–40 chữ cái, chữ số, dấu “.”, “_” hoặc “-”, không có dấu \
                 cách."
                    .into()
            }
            WebError::Accounts(AccountsError::WeakPassword { length, min }) => {
                format!("Mật khẩu quá ngắn ({length} ký tự) — hãy dùng ít nhất {min} ký tự.")
            }
            WebError::Accounts(AccountsError::SamePassword) => {
                "Mật khẩu mới trùng mật khẩu dùng một lần — hãy chọn mật khẩu của riêng bạn.".into()
            }
            WebError::PasswordChangeRequired => {
                "Hãy đặt mật khẩu của riêng bạn trước — mật khẩu được cấp chỉ dùng một lần.".into()
            }
            WebError::Teams(e) => {
                super::teams::message_vi(e).unwrap_or_else(|| self.public_message())
            }
            WebError::Campaigns(e) => {
                super::campaigns::message_vi(e).unwrap_or_else(|| self.public_message())
            }
            _ => self.public_message(),
        }
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(code = self.code(), "{self}");
        }
    }
}

fn accounts_entry(e: &AccountsError) -> (&'static str, StatusCode) {
    use AccountsError as A;
    match e {
        A::BadCredentials => ("bad_credentials", StatusCode::UNAUTHORIZED),
        A::NoSession | A::SessionExpired => ("sign_in_required", StatusCode::UNAUTHORIZED),
        A::Disabled { .. } => ("account_disabled", StatusCode::FORBIDDEN),
        A::BadCsrfToken => ("bad_csrf_token", StatusCode::FORBIDDEN),
        A::Throttled(_) => ("too_many_attempts", StatusCode::TOO_MANY_REQUESTS),
        A::UnknownRole { .. }
        | A::BadUserName { .. }
        | A::UserExists { .. }
        | A::LookAlike { .. }
        | A::NoSuchUser { .. }
        | A::WeakPassword { .. }
        | A::SamePassword => ("invalid_account", StatusCode::BAD_REQUEST),
        A::Io { .. } | A::Corrupt { .. } | A::Random(_) | A::Hash(_) => {
            ("accounts_failed", StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

fn teams_entry(e: &crate::teams::TeamError) -> (&'static str, StatusCode) {
    use crate::teams::TeamError as T;
    match e {
        T::NoSuchTeam { .. } | T::NoSuchMember { .. } => ("not_found", StatusCode::NOT_FOUND),
        T::NoSuchInvitation => ("invitation_not_found", StatusCode::NOT_FOUND),
        T::NotYourTeam { .. } | T::NotALeader { .. } => ("not_your_team", StatusCode::FORBIDDEN),
        T::InvitationExpired { .. } | T::InvitationRevoked | T::InvitationUsedUp { .. } => {
            ("invitation_closed", StatusCode::GONE)
        }
        T::AlreadyMember { .. } | T::WasRemoved { .. } | T::LastLeader { .. } => {
            ("membership_conflict", StatusCode::CONFLICT)
        }
        T::NameTaken { .. } | T::BadName { .. } | T::UnknownCommune { .. } | T::Invalid { .. } => {
            ("invalid_team", StatusCode::UNPROCESSABLE_ENTITY)
        }
        T::Accounts(inner) => accounts_entry(inner),
        T::Db(_) | T::Sql(_) => ("teams_failed", StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn campaigns_entry(e: &crate::campaigns::CampaignError) -> (&'static str, StatusCode) {
    use crate::campaigns::CampaignError as C;
    match e {
        C::NoSuchCampaign { .. } | C::NoSuchTask { .. } => ("not_found", StatusCode::NOT_FOUND),
        C::AlreadyClaimed { .. } => ("already_claimed", StatusCode::CONFLICT),
        C::InReview | C::AlreadyDone | C::Closed { .. } | C::NotClaimed | C::NotRunning { .. } => {
            ("task_not_open", StatusCode::CONFLICT)
        }
        C::TooManyClaims { .. } => ("too_many_claims", StatusCode::CONFLICT),
        C::NotYours { .. }
        | C::NotYourMember { .. }
        | C::NotParticipating { .. }
        | C::Pending { .. } => ("not_allowed", StatusCode::FORBIDDEN),
        C::Invalid { .. } => ("invalid_campaign", StatusCode::UNPROCESSABLE_ENTITY),
        C::Teams(inner) => teams_entry(inner),
        C::Db(_) | C::Sql(_) => ("campaigns_failed", StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn inbox_entry(e: &InboxError) -> (&'static str, StatusCode) {
    use InboxError as I;
    match e {
        I::NotFound { .. } => ("not_found", StatusCode::NOT_FOUND),
        I::NotPending { .. } => ("not_pending", StatusCode::CONFLICT),
        I::Invalid { .. } => ("invalid_submission", StatusCode::BAD_REQUEST),
        I::TooLarge { .. } => ("too_large", StatusCode::PAYLOAD_TOO_LARGE),
        I::Empty | I::UploadClosed => ("invalid_upload", StatusCode::BAD_REQUEST),
        I::TooMany { .. } => ("too_many_photos", StatusCode::PAYLOAD_TOO_LARGE),
        I::UploadNotFound { .. } => ("upload_not_found", StatusCode::NOT_FOUND),
        I::WrongOffset { .. } => ("wrong_offset", StatusCode::CONFLICT),
        I::UploadBusy => ("upload_busy", StatusCode::CONFLICT),
        I::Quota { .. } => ("quota_reached", StatusCode::TOO_MANY_REQUESTS),
        I::Photo(m) if m.is_input_error() => ("invalid_photo", StatusCode::UNPROCESSABLE_ENTITY),
        I::Photo(_) | I::Io { .. } | I::Corrupt { .. } => {
            ("inbox_failed", StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

fn moderation_entry(e: &ModerationError) -> (&'static str, StatusCode) {
    use ModerationError as M;
    match e {
        M::Inbox(inner) => inbox_entry(inner),
        M::NoSuchSite { .. } | M::NoSuchChange { .. } => ("not_found", StatusCode::NOT_FOUND),
        M::InvalidRecord { .. } | M::ReasonRequired => {
            ("invalid_record", StatusCode::UNPROCESSABLE_ENTITY)
        }
        M::CannotRevertCreation { .. } | M::AlreadyReverted { .. } | M::Conflict { .. } => {
            ("conflict", StatusCode::CONFLICT)
        }
        M::OwnSubmission => ("own_submission", StatusCode::FORBIDDEN),
        M::History(_) | M::Io { .. } => ("moderation_failed", StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The JSON body of every API error.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub code: &'a str,
    pub message: String,
}

/// An error answered as JSON.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub WebError);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        HttpResponse::build(self.0.status())
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(ErrorBody {
                code: self.0.code(),
                message: self.0.public_message(),
            })
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        ApiError(e.into())
    }
}

/// An error answered as a page in the visitor's language.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct PageError {
    pub error: WebError,
    pub lang: Lang,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.error.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.error.log();
        let html = super::render::error_page(&self.error, self.lang);
        HttpResponse::build(self.error.status())
            .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((CACHE_CONTROL, "no-store"))
            .body(html)
    }
}

/// Lets page handlers use `?` on results carrying a [`WebError`].
pub trait InLang<T> {
    fn in_lang(self, lang: Lang) -> Result<T, PageError>;
}

impl<T, E: Into<WebError>> InLang<T> for Result<T, E> {
    fn in_lang(self, lang: Lang) -> Result<T, PageError> {
        self.map_err(|e| PageError {
            error: e.into(),
            lang,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        assert_eq!(WebError::not_found("x").status(), StatusCode::NOT_FOUND);
        let bad = WebError::InvalidParameter {
            name: "page",
            value: "x".into(),
            expected: "a number",
        };
        assert_eq!(
            (bad.code(), bad.status()),
            ("invalid_parameter", StatusCode::BAD_REQUEST)
        );
        assert!(bad.public_message().contains("page"));
    }
}
