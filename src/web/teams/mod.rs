//! Teams on the web: what leaders manage, how newcomers join, and what everyone may see.
//!
//! - [`manage`] — `GET/POST /teams`: a leader's teams and a new one; `/teams/{team}/manage`:
//!   members (confirm, remove), communes, invitations, the team's history;
//! - [`invitations`] — making and withdrawing invitations, and their QR codes;
//! - [`join`] — `GET/POST /join/{token}`: a young volunteer opens the link on a phone, picks a
//!   name and password (or uses their account), and is in the team;
//! - [`public`] — `GET /teams/{team}`: the team's name, communes and published work only.
//!
//! Every write is a form checked by [`crate::web::auth::Posted`] for role and CSRF token; whether
//! the user leads *this* team is the domain's rule ([`crate::teams::Teams::may_lead`]), so a
//! leader of another team gets a clear 403 and nothing changes.

pub mod invitations;
pub mod join;
pub mod manage;
pub mod public;

use crate::teams::{Team, TeamError};
use crate::web::error::WebError;
use crate::web::i18n::Lang;
use crate::web::render::with_param;
use crate::web::state::AppState;

/// The Vietnamese message of a team error a leader or volunteer meets, when it has one.
pub fn message_vi(e: &TeamError) -> Option<String> {
    Some(match e {
        TeamError::NoSuchTeam { .. } => "Không có đội này — hãy xem danh sách các đội.".into(),
        TeamError::NotYourTeam { team } => format!(
            "Bạn không phải đội trưởng của “{team}” — chỉ đội trưởng của đội và người kiểm duyệt \
             mới làm được việc này; chưa có gì thay đổi."
        ),
        TeamError::NotALeader { .. } => {
            "Chỉ tài khoản đội trưởng mới lập được đội — hãy hỏi quản trị viên.".into()
        }
        TeamError::NameTaken { name } => {
            format!("Đã có đội tên “{name}” — hãy thêm tên thôn hoặc xã vào tên đội.")
        }
        TeamError::BadName { .. } => "Tên đội cần từ 2 đến 120 ký tự.".into(),
        TeamError::UnknownCommune { given, why } => {
            format!("Không xác định được xã/phường “{given}”: {why}")
        }
        TeamError::NoSuchMember { user, .. } => format!("“{user}” không phải thành viên của đội."),
        TeamError::LastLeader { user } => format!(
            "“{user}” là đội trưởng cuối cùng của đội — hãy cử một thành viên khác làm đội \
             trưởng trước."
        ),
        TeamError::NoSuchInvitation => {
            "Không có lời mời này — hãy xin đội trưởng một đường dẫn mới.".into()
        }
        TeamError::InvitationExpired { on } => {
            format!("Lời mời này đã hết hạn lúc {on} — hãy xin đội trưởng một lời mời mới.")
        }
        TeamError::InvitationRevoked => {
            "Đội trưởng đã thu hồi lời mời này — hãy xin một lời mời mới.".into()
        }
        TeamError::InvitationUsedUp { uses } => {
            format!("Lời mời này đã được dùng đủ {uses} lượt — hãy xin đội trưởng một lời mời mới.")
        }
        TeamError::AlreadyMember { team } => format!("Bạn đã ở trong đội “{team}”."),
        TeamError::WasRemoved { team } => {
            format!("Bạn đã được đưa ra khỏi đội “{team}” — hãy hỏi đội trưởng nếu có nhầm lẫn.")
        }
        TeamError::Invalid { field, why } => format!("{field}: {why}"),
        TeamError::Accounts(_) | TeamError::Db(_) | TeamError::Sql(_) => return None,
    })
}

/// The team of a URL, for a user who may manage it.
pub async fn led_team(
    state: &AppState,
    slug: &str,
    user: &crate::accounts::User,
) -> Result<Team, WebError> {
    let (teams, slug, user) = (state.teams.clone(), slug.to_owned(), user.clone());
    crate::web::blocking(move || {
        let team = teams.by_slug(&slug)?;
        teams.may_lead(&team, &user)?;
        Ok::<_, TeamError>(team)
    })
    .await
}

/// `/teams/{slug}/manage` in `lang`.
pub fn manage_url(slug: &str, lang: Lang) -> String {
    with_param(&format!("/teams/{slug}/manage"), lang.link_param())
}

/// `/teams/{slug}` in `lang`.
pub fn public_url(slug: &str, lang: Lang) -> String {
    with_param(&format!("/teams/{slug}"), lang.link_param())
}
