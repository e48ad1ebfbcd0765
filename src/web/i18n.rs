//! The two languages of the site: Vietnamese by default, English on request.
//!
//! A visitor picks a language with a `?lang=en` / `?lang=vi` link; the choice is remembered in
//! a `lang` cookie, so later pages without the parameter keep it. Links inside an English page
//! carry `lang=en`, so the English pages are also reachable (and crawlable) without cookies.
//! Every label exists in both languages by construction: [`Labels`] is one struct and each
//! language is one value of it, so a label missing in one language does not compile.

use std::future::{Ready, ready};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use serde::Serialize;

/// The cookie that remembers the language.
pub const COOKIE: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// Picks the Vietnamese or English text of a pair, falling back to the Vietnamese.
    pub fn pick<'a>(self, vi: &'a str, en: Option<&'a str>) -> &'a str {
        match (self, en) {
            (Lang::En, Some(en)) if !en.trim().is_empty() => en,
            _ => vi,
        }
    }

    /// What internal links append to keep this language: nothing for Vietnamese.
    pub fn link_param(self) -> &'static str {
        match self {
            Lang::Vi => "",
            Lang::En => "lang=en",
        }
    }
}

/// The language of a request: the `lang` parameter, else the cookie, else Vietnamese.
#[derive(Debug, Clone, Copy)]
pub struct Chosen {
    pub lang: Lang,
    /// Chosen by a `lang` parameter: the response remembers it in the cookie.
    pub explicit: bool,
}

impl Chosen {
    pub fn of(req: &HttpRequest) -> Chosen {
        let param = url_param(req.query_string(), "lang").and_then(|v| Lang::parse(&v));
        if let Some(lang) = param {
            return Chosen {
                lang,
                explicit: true,
            };
        }
        let lang = req
            .cookie(COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .unwrap_or(Lang::Vi);
        Chosen {
            lang,
            explicit: false,
        }
    }

    /// The cookie to set when the choice came from a link.
    pub fn cookie(self) -> Option<Cookie<'static>> {
        self.explicit.then(|| {
            Cookie::build(COOKIE, self.lang.code())
                .path("/")
                .max_age(actix_web::cookie::time::Duration::days(365))
                .same_site(SameSite::Lax)
                .http_only(true)
                .finish()
        })
    }
}

impl FromRequest for Chosen {
    type Error = actix_web::Error;
    type Future = Ready<Result<Chosen, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Chosen::of(req)))
    }
}

/// The first value of `name` in a query string, decoded.
pub fn url_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded_pairs(query)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Decoded `name=value` pairs of a query string (never fails: bad escapes are kept as typed).
pub fn form_urlencoded_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
}

macro_rules! labels {
    ($($key:ident: $vi:literal, $en:literal;)+) => {
        /// Every piece of interface text, in one language.
        #[derive(Debug, Serialize)]
        pub struct Labels { $(pub $key: &'static str,)+ }
        pub static VI: Labels = Labels { $($key: $vi,)+ };
        pub static EN: Labels = Labels { $($key: $en,)+ };
    };
}

labels! {
    site_name: "Di sản", "Disan";
    tagline: "Di tích lịch sử và địa chỉ đỏ của Việt Nam", "Historic sites and red addresses of Vietnam";
    skip: "Bỏ qua, tới nội dung chính", "Skip to the main content";
    menu_search: "Tìm kiếm", "Search";
    menu_provinces: "Tỉnh thành", "Provinces";
    menu_types: "Loại hình", "Types";
    menu_map: "Bản đồ", "Map";
    other_language: "English", "Tiếng Việt";
    other_language_title: "Read this page in English", "Đọc trang này bằng tiếng Việt";
    search_label: "Tìm di tích", "Search the sites";
    search_placeholder: "Tên di tích, địa danh, nhân vật…", "Site, place or person…";
    search_button: "Tìm", "Search";
    search_hint: "Có thể gõ không dấu: “chua mot cot”, “den tran”.", "Accents are optional: “chua mot cot”, “den tran”.";
    near_me: "Di tích gần tôi", "Sites near me";
    near_me_locating: "Đang xác định vị trí…", "Finding your location…";
    near_me_failed: "Không lấy được vị trí. Hãy cho phép truy cập vị trí hoặc tìm theo tên.", "Could not get your location. Allow location access or search by name.";
    browse_province: "Theo tỉnh, thành phố", "By province";
    browse_type: "Theo loại hình", "By type";
    browse_level: "Theo cấp xếp hạng", "By ranking";
    red_addresses: "Địa chỉ đỏ", "Red addresses";
    red_addresses_text: "Những địa điểm gắn với cách mạng và các cuộc kháng chiến.", "Places of the revolution and the wars of resistance.";
    red_address: "Địa chỉ đỏ", "Red address";
    recent: "Mới cập nhật", "Recently added";
    see_all: "Xem tất cả", "See all";
    sites: "di tích", "sites";
    provinces_title: "Di tích theo tỉnh, thành phố", "Sites by province";
    provinces_intro: "Theo 34 tỉnh, thành phố sau sắp xếp ngày 1/7/2025. Tìm theo tên tỉnh cũ (như Nam Định, Hà Tây) vẫn ra kết quả.", "By the 34 provinces in place since 1 July 2025. Searching for a former province (such as Nam Định or Hà Tây) still works.";
    types_title: "Di tích theo loại hình", "Sites by type";
    levels_title: "Theo cấp xếp hạng", "By ranking";
    search_title: "Tìm kiếm", "Search";
    results_for: "Kết quả cho", "Results for";
    all_sites: "Tất cả di tích", "All sites";
    results_count: "di tích", "sites";
    loose_match: "Không di tích nào có đủ mọi từ; đang hiện các di tích có một trong các từ.", "No site has all the words; showing sites with any of them.";
    no_results: "Không tìm thấy di tích nào.", "No sites found.";
    no_results_help: "Thử viết ít từ hơn, bỏ bớt bộ lọc hoặc kiểm tra chính tả. Dấu tiếng Việt không bắt buộc.", "Try fewer words or filters, or check the spelling. Vietnamese accents are optional.";
    did_you_mean: "Có phải bạn muốn tìm:", "Did you mean:";
    without_filters: "Tìm lại, không dùng bộ lọc", "Search again without filters";
    filters: "Lọc kết quả", "Refine";
    active_filters: "Đang lọc", "Filters";
    remove_filter: "Bỏ lọc", "Remove filter";
    province: "Tỉnh, thành phố", "Province";
    type_: "Loại hình", "Type";
    level: "Xếp hạng", "Ranking";
    category: "Loại di tích", "Category";
    near: "Gần vị trí", "Near";
    sort: "Sắp xếp", "Sort";
    sort_relevance: "Phù hợp nhất", "Best match";
    sort_distance: "Gần nhất", "Nearest";
    previous: "Trang trước", "Previous page";
    next: "Trang sau", "Next page";
    page: "Trang", "Page";
    pagination: "Phân trang", "Pages";
    km: "km", "km";
    photos: "Ảnh", "Photos";
    photo_credit: "Ảnh:", "Photo:";
    license: "giấy phép", "licence";
    enlarge: "Phóng to ảnh", "Enlarge the photo";
    close: "Đóng", "Close";
    previous_photo: "Ảnh trước", "Previous photo";
    next_photo: "Ảnh sau", "Next photo";
    facts: "Thông tin", "Facts";
    other_names: "Tên khác", "Other names";
    period: "Niên đại", "Period";
    year_recognized: "Năm xếp hạng", "Year ranked";
    people: "Nhân vật được thờ, tưởng niệm", "People honoured";
    address: "Địa chỉ", "Address";
    now_in: "Hiện thuộc", "Now in";
    formerly_in: "Trước 1/7/2025 thuộc", "Before 1 July 2025 in";
    about: "Giới thiệu", "About";
    vietnamese_only: "Phần giới thiệu hiện chỉ có bằng tiếng Việt.", "This description is only available in Vietnamese so far.";
    timeline: "Dòng thời gian", "Timeline";
    sources: "Nguồn tư liệu", "Sources";
    location: "Vị trí", "Location";
    approximate: "Vị trí gần đúng: tâm của đơn vị hành chính, chưa phải vị trí chính xác của di tích.", "Approximate position: the centre of the administrative unit, not the site itself.";
    no_position: "Di tích chưa có toạ độ.", "This site has no coordinates yet.";
    coordinates: "Toạ độ", "Coordinates";
    open_in_maps: "Chỉ đường (ứng dụng bản đồ)", "Directions (maps app)";
    open_osm: "Xem trên OpenStreetMap", "View on OpenStreetMap";
    map_of: "Vị trí trên bản đồ Việt Nam", "Position on a map of Vietnam";
    nearby: "Di tích lân cận", "Nearby sites";
    cite: "Trích dẫn trang này", "Cite this page";
    download_json: "Tải dữ liệu (JSON)", "Download the data (JSON)";
    last_updated: "Cập nhật lần cuối", "Last updated";
    qr_plaque: "Bảng mã QR để in", "Printable QR plaque";
    print: "In bảng này", "Print this plaque";
    plaque_scan: "Quét mã để đọc về di tích", "Scan to read about this site";
    qr_alt: "Mã QR dẫn tới trang của di tích", "QR code linking to the site's page";
    share: "Chia sẻ", "Share";
    map_title: "Bản đồ di tích", "Map of sites";
    map_intro: "Mỗi chấm là một di tích có toạ độ; không dùng dịch vụ bản đồ bên ngoài. Chọn một tỉnh để xem danh sách.", "Each dot is a site with coordinates; no outside map service is used. Pick a province to see its sites.";
    map_alt: "Bản đồ các di tích có toạ độ trên lãnh thổ Việt Nam", "Map of the sites with coordinates across Vietnam";
    without_position: "di tích chưa có toạ độ", "sites without coordinates";
    not_found_title: "Không tìm thấy trang", "Page not found";
    not_found_text: "Trang này không có hoặc đã được chuyển đi. Hãy thử tìm kiếm.", "This page does not exist or has moved. Try searching.";
    bad_request_title: "Yêu cầu chưa đúng", "Something in the request is wrong";
    server_error_title: "Máy chủ gặp lỗi", "Server error";
    server_error_text: "Đã có lỗi phía máy chủ. Hãy thử lại sau ít phút.", "Something went wrong on our side. Please try again in a few minutes.";
    back_home: "Về trang chủ", "Back to the home page";
    footer: "Dữ liệu mở về di sản Việt Nam. Mã nguồn mở (MIT/Apache-2.0).", "Open data about Vietnam's heritage. Open-source code (MIT/Apache-2.0).";
    api: "API dữ liệu", "Data API";
    // Accounts
    menu_contribute: "Đóng góp", "Contribute";
    login_title: "Đăng nhập", "Log in";
    login_intro: "Dành cho tình nguyện viên và người kiểm duyệt. Tài khoản do quản trị viên cấp.", "For volunteers and moderators. Accounts are given by an administrator.";
    login_button: "Đăng nhập", "Log in";
    logout_button: "Đăng xuất", "Log out";
    user_name: "Tên tài khoản", "User name";
    password: "Mật khẩu", "Password";
    logged_in_as: "Đang đăng nhập:", "Logged in as";
    // Moderation
    moderate_title: "Kiểm duyệt đóng góp", "Review contributions";
    moderate_intro: "Các đóng góp đang chờ duyệt, cũ nhất trước.", "Contributions waiting for review, oldest first.";
    queue_empty: "Không có đóng góp nào đang chờ.", "Nothing is waiting for review.";
    unreadable_entries: "mục trong hộp thư không đọc được (xem nhật ký máy chủ)", "inbox entries could not be read (see the server log)";
    kind_new_site: "Di tích mới", "New site";
    kind_photos: "Thêm ảnh", "Photos";
    kind_correction: "Sửa thông tin", "Correction";
    submitted_by: "Người gửi", "Sent by";
    sent_on: "Ngày gửi", "Sent on";
    photo_count: "ảnh", "photos";
    back_to_queue: "Về danh sách chờ", "Back to the queue";
    current_site: "Di tích hiện có", "Current site";
    note_from_volunteer: "Ghi chú của người gửi", "Note from the volunteer";
    changes: "Thay đổi", "Changes";
    field: "Trường", "Field";
    before: "Trước", "Before";
    after: "Sau", "After";
    no_changes: "Không có thay đổi về nội dung.", "No change to the text.";
    photo_taken_at: "Vị trí chụp (GPS của ảnh)", "Where it was taken (photo GPS)";
    photo_no_gps: "Ảnh không có toạ độ GPS.", "The photo has no GPS position.";
    site_no_position: "Di tích chưa có toạ độ để so sánh.", "The site has no position to compare with.";
    far_from_site: "Chụp cách vị trí di tích", "Taken this far from the site:";
    check_far: "Hãy kiểm tra ảnh có đúng di tích này không.", "Check that it shows this site.";
    distance_from_site: "Cách vị trí di tích", "Distance from the site:";
    photo_site_pin: "Vị trí di tích", "The site";
    photo_pin: "Nơi chụp ảnh", "Where the photo was taken";
    approve: "Duyệt", "Approve";
    edit_approve: "Sửa rồi duyệt", "Edit, then approve";
    reject: "Từ chối", "Reject";
    reject_reason: "Lý do (người gửi sẽ thấy)", "Reason (the volunteer will see it)";
    reason_required: "Hãy ghi lý do để người gửi biết cần sửa gì.", "Give a reason, so the volunteer knows what to fix.";
    cannot_approve: "Chưa thể duyệt:", "This cannot be approved yet:";
    fix_fields: "Hãy sửa các trường được đánh dấu.", "Fix the marked fields.";
    approved_notice: "Đã duyệt và đăng:", "Approved and published:";
    rejected_notice: "Đã từ chối đóng góp; người gửi sẽ thấy lý do.", "Rejected; the volunteer will see the reason.";
    f_name: "Tên", "Name";
    f_name_en: "Tên tiếng Anh", "English name";
    f_commune: "Xã, phường", "Commune or ward";
    f_lat: "Vĩ độ", "Latitude";
    f_lon: "Kinh độ", "Longitude";
    f_decimal_hint: "Số thập phân, ví dụ 20.2506", "Decimal degrees, e.g. 20.2506";
    f_summary: "Tóm tắt", "Summary";
    f_description: "Mô tả (Markdown)", "Description (Markdown)";
    one_per_line: "Mỗi dòng một mục", "One per line";
    history: "Lịch sử thay đổi", "Change history";
    history_intro: "Mọi thay đổi đã được duyệt của trang này: ai đề xuất, ai duyệt, khi nào và thay đổi gì.", "Every approved change of this page: who proposed it, who approved it, when, and what changed.";
    history_empty: "Chưa có thay đổi nào được ghi lại.", "No change has been recorded yet.";
    action_new_site: "Thêm di tích", "Site added";
    action_photos: "Thêm ảnh", "Photos added";
    action_correction: "Sửa thông tin", "Correction";
    action_revert: "Hoàn tác", "Revert";
    approved_by: "Người duyệt", "Approved by";
    reverts_change: "Hoàn tác thay đổi", "Reverts change";
    reverted_by: "Đã hoàn tác bởi", "Reverted by";
    revert: "Hoàn tác thay đổi này", "Revert this change";
    reverted_notice: "Đã hoàn tác. Việc hoàn tác cũng được ghi vào lịch sử.", "Reverted. The revert is recorded in the history too.";
    needs_help_title: "Di tích cần giúp đỡ", "Sites that need help";
    needs_help_intro: "Những di tích còn thiếu ảnh, toạ độ hoặc mô tả. Nếu bạn ở gần, hãy giúp bổ sung.", "Sites still missing photos, a position or a description. If you are nearby, help fill them in.";
    need_photos: "Chưa có ảnh", "No photos";
    need_position: "Chưa có toạ độ", "No position";
    need_precise_position: "Chỉ có toạ độ gần đúng", "Approximate position only";
    need_description: "Chưa có mô tả", "No description";
    any_need: "Mọi nhu cầu", "Any need";
    all_provinces: "Mọi tỉnh, thành phố", "All provinces";
    need: "Cần", "Needs";
    near_field: "Vị trí của bạn (vĩ độ, kinh độ)", "Your position (latitude, longitude)";
    near_invalid: "Vị trí chưa đúng dạng “20.25, 105.97”; danh sách chưa xếp theo khoảng cách.", "The position is not like “20.25, 105.97”; the list is not sorted by distance.";
    use_my_location: "Dùng vị trí của tôi", "Use my location";
    apply: "Lọc", "Apply";
    showing: "Đang hiện", "Showing";
    of_total: "trên", "of";
    nothing_needed: "Không có di tích nào cần giúp theo bộ lọc này.", "No site needs this kind of help here.";
    // Contributing
    contribute_title: "Đóng góp", "Contribute";
    contribute_intro: "Cảm ơn bạn! Người kiểm duyệt xem mọi đóng góp trước khi đăng.", "Thank you! A moderator reviews every contribution before it is published.";
    propose_site: "Đề xuất di tích mới", "Propose a new site";
    needs_help: "Di tích cần giúp đỡ", "Sites that need help";
    moderate_link: "Hàng chờ kiểm duyệt", "Moderation queue";
    my_contributions: "Đóng góp của tôi", "My contributions";
    no_contributions: "Bạn chưa gửi đóng góp nào.", "You have not sent anything yet.";
    status_pending: "Đang chờ duyệt", "Waiting for review";
    status_approved: "Đã duyệt", "Approved";
    status_rejected: "Không được duyệt", "Not accepted";
    reason: "Lý do:", "Reason:";
    view_site: "Xem di tích", "View the site";
    new_site_title: "Đề xuất di tích mới", "Propose a new site";
    correct_title: "Sửa thông tin:", "Correct:";
    correct_intro: "Sửa những gì chưa đúng; người kiểm duyệt sẽ so với bản hiện tại.", "Change what is wrong; a moderator compares it with the current text.";
    field_name: "Tên di tích", "Name of the site";
    field_name_en: "Tên tiếng Anh", "English name";
    field_alt_names: "Tên khác (mỗi dòng một tên)", "Other names (one per line)";
    type_unknown: "— chưa rõ —", "— not sure —";
    field_type_other: "Loại khác (nếu không có trong danh sách)", "Other type (if not in the list)";
    field_address: "Địa chỉ (thôn, xóm, đường…)", "Address (village, street…)";
    choose_province: "— chọn tỉnh —", "— choose —";
    field_commune: "Xã, phường", "Commune or ward";
    commune_hint: "Gõ vài chữ rồi chọn trong danh sách; tên trước năm 2025 cũng được.", "Type a few letters and pick from the list; names from before 2025 work too.";
    check_address: "Kiểm tra địa chỉ", "Check the address";
    resolved_to: "Địa chỉ được xác định là:", "The address resolves to:";
    field_position: "Vị trí", "Position";
    field_lat: "Vĩ độ", "Latitude";
    field_lon: "Kinh độ", "Longitude";
    position_hint: "Đứng tại di tích rồi bấm “Dùng vị trí của tôi”, hoặc chọn một ảnh có GPS. Để trống thì dùng tâm xã.", "Stand at the site and tap “Use my location”, or pick a photo with GPS. Left empty, the commune's centre is used.";
    gps_photo: "Lấy vị trí từ ảnh", "Take the position from a photo";
    gps_none: "Ảnh này không có vị trí GPS.", "This photo has no GPS position.";
    field_accuracy: "Vị trí lấy từ", "Position from";
    field_summary: "Tóm tắt", "Summary";
    field_description: "Giới thiệu", "Description";
    description_hint: "Những gì bạn biết: lịch sử, kiến trúc, lễ hội. Đừng chép văn bản có bản quyền.", "What you know: history, architecture, festivals. Do not copy copyrighted text.";
    field_people: "Nhân vật được thờ (mỗi dòng một người)", "People honoured (one per line)";
    field_sources: "Nguồn (mỗi dòng một nguồn: đường dẫn hoặc tên sách)", "Sources (one per line: a link or a book)";
    field_note: "Ghi chú cho người kiểm duyệt", "Note to the moderator";
    send_proposal: "Gửi đề xuất", "Send the proposal";
    form_has_errors: "Chưa gửi được: hãy sửa các mục được đánh dấu.", "Not sent yet: fix the marked fields.";
    name_required: "Hãy nhập tên di tích.", "Enter the site's name.";
    nothing_changed: "Chưa có gì khác với bản hiện tại.", "Nothing differs from the current text.";
    commune_not_found: "Không tìm thấy xã, phường này trong tỉnh đã chọn — hãy chọn trong danh sách.", "This commune is not in the chosen province — pick it from the list.";
    position_not_number: "Vĩ độ và kinh độ phải là số, ví dụ 20.2506 và 105.9745.", "Latitude and longitude must be numbers, e.g. 20.2506 and 105.9745.";
    submission_status: "Trạng thái", "Status";
    proposed: "Nội dung đề xuất", "What was proposed";
    add_photos: "Thêm ảnh", "Add photos";
    no_photos_yet: "Chưa có ảnh.", "No photos yet.";
    photo_files: "Chọn ảnh (chọn được nhiều ảnh)", "Choose photos (several at once)";
    photo_caption: "Chú thích", "Caption";
    photo_author: "Người chụp (tên ghi công)", "Photographer (name to credit)";
    photo_license: "Giấy phép", "Licence";
    keep_original: "Gửi ảnh gốc (không thu nhỏ, chậm hơn)", "Send the original (not reduced, slower)";
    max_size: "Mỗi ảnh tối đa", "Each photo up to";
    photos_left: "Còn thêm được", "Photos left";
    upload_button: "Tải ảnh lên", "Upload";
    photos_added: "ảnh đã được thêm.", "photos added.";
    upload_waiting: "Đang chờ", "Waiting";
    upload_resizing: "Đang thu nhỏ ảnh…", "Reducing the photo…";
    upload_retrying: "Mất kết nối, đang thử lại…", "Connection lost, retrying…";
    upload_done: "Đã xong", "Done";
    upload_failed: "Không gửi được:", "Not sent:";
    back_contribute: "Đóng góp của tôi", "My contributions";
    choose_photos: "Hãy chọn ít nhất một ảnh.", "Choose at least one photo.";
    start_photos_intro: "Người kiểm duyệt sẽ xem ảnh của bạn trước khi đăng lên trang di tích.", "A moderator looks at your photos before they appear on the site's page.";
    start_photos: "Bắt đầu thêm ảnh", "Start adding photos";
    correct_link: "Đề xuất sửa thông tin", "Suggest a correction";
    site_page_link: "Trang di tích", "The site's page";
    // Hardening: privacy, quotas, self-approval
    a_moderator: "một người kiểm duyệt", "a moderator";
    share_position: "Công khai nơi chụp ảnh", "Publish where the photos were taken";
    share_position_hint: "Nếu không chọn, toạ độ GPS trong ảnh chỉ người kiểm duyệt thấy và bị xoá khỏi ảnh khi đăng.", "If left unticked, the GPS position in the photos is seen only by moderators and removed from the photos when they are published.";
    position_private: "không công khai", "not published";
    own_submission: "Đây là đóng góp của bạn: một người kiểm duyệt khác cần duyệt nó.", "This is your own submission: another moderator must approve it.";
    override_own: "Tôi là quản trị viên và tự duyệt đóng góp của mình (được ghi vào lịch sử)", "I am an admin approving my own submission (recorded in the history)";
    self_approved: "tự duyệt (quản trị viên)", "self-approved (admin)";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_pick() {
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::En.pick("Chùa", Some("Pagoda")), "Pagoda");
        assert_eq!(Lang::En.pick("Chùa", Some(" ")), "Chùa");
        assert_eq!(Lang::Vi.pick("Chùa", Some("Pagoda")), "Chùa");
        assert_eq!(
            url_param("q=%C4%91%E1%BB%81n&lang=en", "q").as_deref(),
            Some("đền")
        );
    }
}
