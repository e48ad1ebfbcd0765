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
    // Open data
    open_data: "Dữ liệu mở", "Open data";
    data_title: "Dữ liệu mở", "Open data";
    data_set_name: "Di tích lịch sử và địa chỉ đỏ của Việt Nam", "Historic sites and red addresses of Vietnam";
    data_intro: "Toàn bộ hồ sơ di tích để tải về, để các thư viện thu hoạch (OAI-PMH) và để xem ảnh phóng to (IIIF), được dùng lại tự do theo giấy phép dưới đây.", "Every site record to download, for libraries to harvest (OAI-PMH) and to zoom into the photos (IIIF), free to reuse under the licence below.";
    data_preparing: "Các tệp đang được chuẩn bị; hãy quay lại sau ít phút.", "The files are being prepared; come back in a few minutes.";
    data_made: "Tạo lúc", "Made";
    data_format: "Định dạng", "Format";
    data_for: "Dùng cho", "For";
    data_size: "Dung lượng", "Size";
    data_sites: "Số di tích", "Sites";
    data_checksum: "Mã kiểm tra SHA-256", "SHA-256 checksum";
    data_csv: "Bảng tính (Excel, LibreOffice); nhập lại được vào Disan", "Spreadsheets (Excel, LibreOffice); imports back into Disan";
    data_jsonl: "Lập trình: mỗi dòng một hồ sơ đầy đủ", "Programs: one whole record a line";
    data_geojson: "Bản đồ và GIS (QGIS, bản đồ web)", "Maps and GIS (QGIS, web maps)";
    data_gpx: "Ứng dụng GPS, bản đồ ngoại tuyến", "GPS and offline map apps";
    data_kml: "Google Earth, Google My Maps", "Google Earth, Google My Maps";
    data_left_out: "di tích chưa có toạ độ không có trong GPX và KML.", "sites without coordinates are not in GPX and KML.";
    data_unreadable: "hồ sơ không đọc được đã bị bỏ qua.", "records that could not be read were left out.";
    data_licence: "Giấy phép", "Licence";
    data_licence_text: "Hồ sơ di tích được phát hành theo giấy phép", "The site records are published under";
    data_photos_licence: "Mỗi ảnh có giấy phép riêng do tác giả chọn, ghi dưới ảnh và trong manifest IIIF.", "Each photo has its own licence, chosen by its author, shown under it and in the IIIF manifest.";
    data_cite: "Trích dẫn bộ dữ liệu", "Cite the data set";
    data_harvest: "Thu hoạch và liên kết", "Harvesting and linking";
    data_oai: "OAI-PMH 2.0 (Dublin Core), cho thư viện và cổng dữ liệu", "OAI-PMH 2.0 (Dublin Core), for libraries and portals";
    data_iiif: "Bộ sưu tập IIIF: ảnh phóng to được trong Mirador, Universal Viewer", "IIIF collection: zoomable photos for Mirador, Universal Viewer";
    data_search_hint: "Mỗi trang kết quả tìm kiếm cũng tải về được, với toàn bộ kết quả.", "Every search page can be downloaded too, with all its results.";
    data_dictionary: "Từ điển dữ liệu (các trường và ý nghĩa)", "Data dictionary (the fields and what they mean)";
    data_list_json: "Danh sách tệp (JSON)", "List of the files (JSON)";
    download_results: "Tải toàn bộ kết quả", "Download all the results";
    cite_search: "Trích dẫn tìm kiếm này", "Cite this search";
    cite_files: "Tải trích dẫn cho Zotero, EndNote", "Citation for Zotero, EndNote";
    iiif_manifest: "Ảnh dạng IIIF (manifest)", "Photos as IIIF (manifest)";
    wikidata: "Wikidata", "Wikidata";
    zoom_hint: "Chụm hai ngón hoặc chạm hai lần để phóng to", "Pinch or double-tap to zoom";
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
    // Offline use
    menu_offline: "Khi không có mạng", "Offline";
    offline_title: "Dùng khi không có mạng", "Use it offline";
    offline_intro: "Lưu trước chuyến đi những di tích bạn sẽ đến: khi mất sóng vẫn xem, tìm và tìm quanh đây được, không cần mạng.", "Save the sites of your trip before you go: with no signal you can still read them, search them and find the ones around you.";
    offline_needs_js: "Lưu để dùng khi không có mạng cần trình duyệt bật JavaScript.", "Saving for offline use needs JavaScript.";
    offline_needs_worker: "Trình duyệt này chưa lưu được trang để dùng ngoại tuyến (cần trình duyệt mới hơn, và trang được mở qua https).", "This browser cannot keep pages for offline use (it needs a recent browser, and the site opened over https).";
    offline_install: "Cài Di sản như một ứng dụng: trong menu của trình duyệt chọn “Thêm vào màn hình chính” hoặc “Cài đặt ứng dụng”.", "Install Disan as an app: in the browser's menu choose “Add to Home screen” or “Install app”.";
    offline_saved: "Đã lưu trên máy này", "Saved on this phone";
    offline_nothing_saved: "Chưa lưu gói nào.", "No pack saved yet.";
    offline_pages: "Trang đã mở gần đây (đọc lại được khi không có mạng)", "Pages opened recently (readable offline)";
    offline_no_pages: "Chưa có trang nào.", "None yet.";
    offline_save_place: "Lưu một tỉnh hoặc một xã", "Save a province or a commune";
    offline_choose_province: "Tỉnh, thành phố", "Province";
    offline_choose_commune: "Xã, phường", "Commune or ward";
    offline_whole_province: "Cả tỉnh", "The whole province";
    offline_save_near: "Lưu các di tích quanh đây", "Save the sites around here";
    offline_radius: "Trong bán kính", "Within";
    offline_find_near: "Lưu quanh vị trí của tôi", "Save around my position";
    offline_locating: "Đang xác định vị trí…", "Finding your position…";
    offline_no_position: "Không lấy được vị trí.", "Could not get your position.";
    offline_save_results: "Lưu các kết quả này để xem khi không có mạng", "Save these results for offline use";
    offline_save_site: "Lưu di tích này để xem khi không có mạng", "Save this site for offline use";
    offline_results_of: "Kết quả tìm", "Results for";
    offline_around: "Quanh", "Around";
    offline_site: "Di tích", "Site";
    offline_text_only: "Chỉ chữ", "Text only";
    offline_with_photos: "Kèm ảnh nhỏ", "With small photos";
    offline_download: "Tải về máy", "Download";
    offline_saving: "Đang lưu", "Saving";
    offline_paused: "Đã tạm dừng (sẽ tiếp tục khi có mạng)", "Paused (resumes when online)";
    offline_done: "Đã lưu", "Saved";
    offline_failed: "Chưa lưu được", "Not saved";
    offline_pause: "Tạm dừng", "Pause";
    offline_resume: "Tiếp tục", "Resume";
    offline_delete: "Xoá", "Delete";
    offline_update: "Cập nhật", "Update";
    offline_saved_on: "lưu ngày", "saved";
    offline_not_found: "Không tìm thấy gì để lưu.", "Nothing found to save.";
    offline_truncated: "Chỉ lưu những kết quả đầu tiên:", "Only the first results are saved:";
    offline_storage: "Trình duyệt cho phép lưu", "Storage the browser grants";
    offline_storage_used: "đã dùng", "used";
    offline_storage_low: "Bộ nhớ sắp đầy: hãy xoá bớt gói đã lưu hoặc dữ liệu khác trên máy.", "Storage is nearly full: delete some saved packs or other data from the phone.";
    offline_saved_copy: "Bản lưu trên máy lúc", "Saved copy from";
    offline_no_signal: "Không có mạng, hoặc mạng quá chậm: đây là bản đã lưu.", "No connection, or too slow: this is the saved copy.";
    offline_not_saved: "Trang này chưa được lưu trên máy, và hiện không có mạng. Dưới đây là những gì đã lưu.", "This page is not saved on this phone, and there is no connection. Here is what is saved.";
    offline_from_pack: "Từ gói đã lưu trên máy", "From a pack saved on this phone";
    offline_full_online: "Trang đầy đủ (bản đồ, trích dẫn, mô tả dài) cần có mạng.", "The full page (map, citation, long description) needs a connection.";
    offline_searching: "Tìm trong các di tích đã lưu trên máy", "Searching the sites saved on this phone";
    offline_nothing_to_search: "Chưa lưu gói nào để tìm khi không có mạng.", "No pack is saved to search offline.";
    // Drafts
    drafts_title: "Đóng góp khi không có mạng", "Contribute offline";
    drafts_intro: "Điền ở đây cả khi không có sóng: bản nháp được giữ trên máy và tự gửi khi có mạng trở lại.", "Fill this in even with no signal: the draft stays on the phone and is sent by itself when the connection returns.";
    drafts_waiting: "Đang chờ gửi", "Waiting to send";
    drafts_sending: "Đang gửi", "Sending";
    drafts_sent: "Đã gửi", "Sent";
    drafts_nothing: "Không có bản nháp nào đang chờ.", "No draft is waiting.";
    drafts_login: "Phiên đăng nhập đã hết: hãy đăng nhập lại để gửi. Bản nháp vẫn được giữ trên máy.", "Your session has ended: log in again to send. The draft stays on the phone.";
    drafts_invalid: "Cần sửa trước khi gửi:", "Needs a fix before it can be sent:";
    drafts_saved: "Đã lưu trên máy. Bản nháp sẽ tự gửi khi có mạng.", "Saved on this phone. It will be sent by itself when there is a connection.";
    drafts_save: "Lưu, gửi khi có mạng", "Save, send when online";
    drafts_send_now: "Gửi ngay", "Send now";
    drafts_delete: "Xoá bản nháp", "Delete the draft";
    drafts_site_missing: "Di tích này chưa được lưu trên máy: hãy lưu gói của nó, hoặc mở trang của nó khi có mạng.", "This site is not saved on this phone: save its pack, or open its page while online.";
    drafts_needs_worker: "Trình duyệt này không giữ được bản nháp; hãy dùng biểu mẫu khi có mạng.", "This browser cannot keep drafts; use the form while online.";
    drafts_no_room: "Không đủ bộ nhớ để giữ các ảnh này trên máy.", "There is not enough storage to keep these photos on the phone.";
    drafts_name_needed: "Hãy nhập tên di tích.", "Enter the site's name.";
    drafts_author_needed: "Ảnh cần tên người chụp và giấy phép.", "Photos need the photographer's name and a licence.";
    drafts_correct_hint: "Chỉ những gì bạn sửa mới được gửi; phần còn lại giữ như hiện tại.", "Only what you change is sent; everything else stays as it is.";
    drafts_photos_of: "Ảnh cho di tích", "Photos for";
    drafts_open: "Đóng góp khi không có mạng", "Contribute offline";
    // Teams and campaigns
    menu_campaigns: "Chiến dịch", "Campaigns";
    campaigns_title: "Chiến dịch số hoá di tích", "Digitisation campaigns";
    campaigns_intro: "Các đội tình nguyện chụp ảnh, định vị và giới thiệu di tích theo từng xã; tiến độ được cập nhật sau mỗi lần duyệt.", "Volunteer teams photograph, locate and describe sites commune by commune; progress updates after every approval.";
    no_campaigns: "Chưa có chiến dịch nào.", "No campaign yet.";
    campaign_running: "Đang diễn ra", "Running";
    campaign_page: "Trang chiến dịch", "Campaign page";
    campaign_page_intro: "Tiến độ số hoá di tích theo xã và theo đội", "Digitisation progress by commune and by team";
    done_when: "Một di tích được tính là xong khi có", "A site counts as done with";
    claims_hold: "Mỗi lượt nhận giữ nhiệm vụ trong", "A claim holds a task for";
    hours: "giờ", "hours";
    take_a_task: "Nhận một nhiệm vụ", "Take a task";
    progress: "Tiến độ", "Progress";
    figures_of: "Số liệu ngày", "Figures of";
    sites_in_campaign: "Di tích trong chiến dịch", "Sites in the campaign";
    done_word: "đã xong", "done";
    with_photo: "Có ảnh", "With a photo";
    with_precise_position: "Có toạ độ chính xác", "With a precise position";
    with_description: "Có giới thiệu", "With a description";
    with_sources: "Có nguồn", "With sources";
    chart_title: "Tiến độ theo ngày (phần trăm số di tích)", "Progress by day (percent of sites)";
    no_figures_yet: "Chưa có số liệu.", "No figures yet.";
    by_commune: "Theo xã, phường", "By commune";
    by_province: "Theo tỉnh, thành phố", "By province";
    by_team: "Theo đội", "By team";
    map_of_completion: "Bản đồ các xã, tô màu theo tỉ lệ di tích đã xong", "Map of the communes, coloured by the share of sites done";
    commune: "Xã, phường", "Commune";
    team: "Đội", "Team";
    sites_short: "Di tích", "Sites";
    photo_short: "Ảnh", "Photo";
    position_short: "Toạ độ", "Position";
    description_short: "Giới thiệu", "Description";
    sources_short: "Nguồn", "Sources";
    and_more_teams: "Và thêm số đội:", "And more teams:";
    recent_work: "Đóng góp vừa được duyệt", "Recently approved work";
    by_volunteer: "Người gửi:", "By";
    no_work_yet: "Chưa có đóng góp nào được duyệt.", "No approved work yet.";
    reports: "Báo cáo", "Reports";
    figures_on_day: "Số liệu tại ngày (để trống: hôm nay)", "Figures on a day (empty: today)";
    figures_csv: "Tải số liệu (CSV)", "Download the figures (CSV)";
    from_day: "Từ ngày", "From";
    to_day: "Đến ngày", "To";
    contributions_csv: "Tải đóng góp của tình nguyện viên (CSV)", "Download the volunteers' contributions (CSV)";
    contributions_csv_hint: "Dành cho đội trưởng và người kiểm duyệt: mỗi dòng là một đóng góp đã duyệt.", "For team leaders and moderators: one row per approved contribution.";
    at_least: "ít nhất", "at least";
    photos_word: "ảnh", "photos";
    lacks_sources: "Chưa có nguồn", "No sources";
    tasks_title: "Nhiệm vụ", "Tasks";
    tasks_word: "nhiệm vụ", "tasks";
    tasks_map: "Bản đồ các nhiệm vụ gần bạn", "Map of the tasks near you";
    you_are_here: "Bạn ở đây", "You are here";
    nearest_first: "gần nhất trước", "nearest first";
    show_all_tasks: "Hiện cả nhiệm vụ đã có người nhận hoặc đã xong", "Also show tasks taken or done";
    no_tasks: "Không còn nhiệm vụ nào để nhận.", "No task left to take.";
    claim_task: "Nhận nhiệm vụ này", "Take this task";
    release_task: "Trả lại nhiệm vụ", "Give the task back";
    unassign_task: "Thu hồi nhiệm vụ", "Take the task back";
    assign_to: "Giao cho thành viên", "Give to a member";
    assign_task: "Giao nhiệm vụ", "Give the task";
    propose_in_campaign: "Đề xuất di tích mới tìm thấy", "Propose a new site found here";
    task_open: "Chưa ai nhận", "Open";
    task_claimed: "Đã có người nhận", "Taken";
    task_review: "Đang chờ duyệt", "Waiting for review";
    task_done: "Đã xong", "Done";
    task_withdrawn: "Đã ra khỏi chiến dịch", "Withdrawn";
    task_gone: "Di tích không còn", "Site gone";
    held_by: "Người giữ:", "Held by";
    until: "đến", "until";
    assigned_by: "giao bởi", "given by";
    still_lacks: "Còn thiếu", "Still lacks";
    site_done: "Di tích này đã xong trong chiến dịch.", "This site is done for the campaign.";
    do_the_task: "Làm nhiệm vụ", "Do the task";
    do_the_task_intro: "Đến tận nơi, chụp ảnh, bổ sung toạ độ và giới thiệu. Những gì bạn gửi gắn với nhiệm vụ này và được người kiểm duyệt xem.", "Go there, take photos, add the position and a description. What you send is linked to this task and reviewed by a moderator.";
    correct_site: "Bổ sung thông tin", "Add information";
    claimed_notice: "Bạn đã nhận nhiệm vụ. Hãy gửi ảnh và thông tin trước khi hết hạn.", "The task is yours. Send the photos and information before the claim ends.";
    assigned_notice: "Đã giao nhiệm vụ.", "The task was given.";
    my_tasks_title: "Nhiệm vụ của tôi", "My tasks";
    my_teams: "Đội của tôi", "My teams";
    no_team_yet: "Bạn chưa ở trong đội nào.", "You are not in a team yet.";
    tasks_held: "Nhiệm vụ đang giữ", "Tasks I hold";
    no_tasks_held: "Bạn chưa giữ nhiệm vụ nào.", "You hold no task.";
    work_waiting: "Đang chờ duyệt", "Waiting for review";
    work_approved: "Đã được duyệt", "Approved";
    work_rejected: "Không được duyệt (kèm lý do)", "Not accepted (with the reasons)";
    nothing_here: "Chưa có gì.", "Nothing yet.";
    what_changed: "Những thay đổi liên quan đến bạn", "What changed for you";
    decided_on: "duyệt ngày", "decided on";
    teams_title: "Các đội", "Teams";
    find_team: "Tìm đội", "Find a team";
    public_page: "Trang công khai", "Public page";
    new_team: "Lập đội mới", "New team";
    team_name: "Tên đội", "Team name";
    communes_field: "Các xã, phường (mỗi dòng một xã; tên trước năm 2025 cũng được)", "Communes (one per line; names from before 2025 work too)";
    communes_field_hint: "Ví dụ: “Phường Hoa Lư” hoặc “Xã Ninh Hải, Huyện Hoa Lư”.", "For example “Phường Hoa Lư” or “Xã Ninh Hải, Huyện Hoa Lư”.";
    confirm_joins: "Đội trưởng xác nhận từng người vào đội", "A leader confirms each newcomer";
    create_team: "Lập đội", "Create the team";
    manage_team_title: "Quản lý đội", "Manage the team";
    invitations: "Lời mời", "Invitations";
    invitations_intro: "Gửi đường dẫn hoặc cho quét mã QR; người nhận tự đặt tên và mật khẩu trên điện thoại.", "Share the link or show the QR code; newcomers choose a name and password on their phone.";
    invitation_link: "Đường dẫn mời", "Invitation link";
    invitation_qr: "Mã QR của lời mời", "QR code of the invitation";
    expires_on: "hết hạn", "expires";
    leader_confirms: "đội trưởng xác nhận", "leader confirms";
    invitation_days: "Có hiệu lực (ngày)", "Valid for (days)";
    invitation_uses: "Số người tối đa", "At most (people)";
    make_invitation: "Tạo lời mời", "Make an invitation";
    revoke_invitation: "Thu hồi lời mời", "Withdraw the invitation";
    invitation_open: "Còn hiệu lực", "Open";
    invitation_expired: "Đã hết hạn", "Expired";
    invitation_revoked: "Đã thu hồi", "Withdrawn";
    invitation_used_up: "Đã dùng hết", "Used up";
    invitation_revoked_notice: "Đã thu hồi lời mời; đường dẫn không còn dùng được.", "The invitation is withdrawn; its link no longer works.";
    members: "Thành viên", "Members";
    member_active: "Thành viên", "Member";
    member_pending: "Chờ xác nhận", "Waiting for confirmation";
    member_removed: "Đã rời đội", "Removed";
    team_leader: "Đội trưởng", "Leader";
    confirm_member: "Xác nhận", "Confirm";
    remove_member: "Đưa ra khỏi đội", "Remove from the team";
    member_confirmed_notice: "Đã xác nhận thành viên.", "The member is confirmed.";
    member_removed_notice: "Đã đưa thành viên ra khỏi đội. Nhiệm vụ họ đang giữ được trả lại; những gì đã gửi vẫn được duyệt. Số nhiệm vụ trả lại:", "The member was removed. Tasks they held are open again; what they sent is still reviewed. Tasks released:";
    team_communes: "Địa bàn", "Communes";
    no_communes: "Đội chưa gắn với xã nào.", "The team has no commune yet.";
    save_communes: "Lưu địa bàn", "Save the communes";
    communes_saved_notice: "Đã lưu địa bàn của đội.", "The team's communes are saved.";
    team_public_intro: "Đội tình nguyện số hoá di tích", "A volunteer team digitising historic sites";
    team_published: "Đã được đăng", "Published";
    join_title: "Vào đội", "Join the team";
    join_intro: "Chọn tên tài khoản và mật khẩu để vào đội và nhận nhiệm vụ.", "Choose a user name and a password to join the team and take tasks.";
    join_needs_confirmation: "Đội trưởng sẽ xác nhận bạn trước khi bạn nhận được nhiệm vụ.", "A leader confirms you before you can take tasks.";
    join_with_account: "Vào đội bằng tài khoản này", "Join with this account";
    join_button: "Vào đội", "Join";
    choose_user_name: "Tên tài khoản", "User name";
    user_name_hint: "2–40 chữ cái, chữ số, “.”, “_” hoặc “-”, không dấu cách.", "2–40 letters, digits, “.”, “_” or “-”, no spaces.";
    choose_password: "Mật khẩu mới", "New password";
    repeat_password: "Nhập lại mật khẩu", "Repeat the password";
    password_hint: "Số ký tự tối thiểu:", "At least this many characters:";
    passwords_differ: "Hai mật khẩu không giống nhau.", "The two passwords differ.";
    have_account: "Đã có tài khoản?", "Have an account?";
    password_title: "Đặt mật khẩu", "Choose a password";
    one_time_password_intro: "Bạn đang dùng mật khẩu được cấp một lần. Hãy đặt mật khẩu của riêng bạn để tiếp tục.", "You logged in with a one-time password. Choose your own password to go on.";
    one_time_password: "Mật khẩu được cấp", "The password you were given";
    current_password: "Mật khẩu hiện tại", "Current password";
    save_password: "Lưu mật khẩu", "Save the password";
    new_campaign_title: "Chiến dịch mới", "New campaign";
    edit_campaign_title: "Sửa chiến dịch", "Edit the campaign";
    campaign_name: "Tên chiến dịch", "Campaign title";
    starts_on: "Bắt đầu", "Starts";
    ends_on: "Kết thúc", "Ends";
    claim_hours_field: "Thời gian giữ một nhiệm vụ (giờ)", "How long a claim holds (hours)";
    teams_taking_part: "Các đội tham gia (mỗi dòng một tên đội)", "Teams taking part (one team name per line)";
    teams_taking_part_hint: "Để trống: mọi tình nguyện viên đều tham gia được.", "Empty: every volunteer may take part.";
    scope: "Phạm vi", "Scope";
    provinces_field: "Tỉnh, thành phố", "Provinces";
    lacking_legend: "Chỉ gồm di tích còn thiếu (chọn bao nhiêu cũng được)", "Only sites that lack (any of those ticked)";
    lack_photos_field: "Ít hơn số ảnh này (0: không lọc)", "Fewer photos than (0: no filter)";
    sites_list_field: "Hoặc một danh sách di tích (mã hoặc đường dẫn, mỗi dòng một)", "Or a list of sites (ids or links, one per line)";
    sites_list_hint: "Có danh sách thì chỉ gồm các di tích trong danh sách.", "With a list, exactly those sites.";
    done_photos_field: "Số ảnh tối thiểu", "Fewest photos";
    save_campaign: "Lưu chiến dịch", "Save the campaign";
    campaign_created_notice: "Đã tạo chiến dịch:", "Campaign created:";
    campaign_saved_notice: "Đã lưu:", "Saved:";
    tasks_added: "nhiệm vụ thêm", "tasks added";
    tasks_withdrawn: "rút ra", "withdrawn";
    tasks_released: "đang có người giữ", "of them held";
    tasks_restored: "đưa trở lại", "restored";
    bad_date: "không phải ngày (YYYY-MM-DD)", "is not a date (YYYY-MM-DD)";
    bad_number: "không phải số nguyên", "is not a whole number";
    no_such_team: "Không có đội:", "No such team:";
    bad_site_id: "không phải mã hay đường dẫn của di tích", "is not a site's id or link";
    ev_team_created: "Lập đội", "Team created";
    ev_communes_changed: "Đổi địa bàn", "Communes changed";
    ev_member_added: "Thêm thành viên", "Member added";
    ev_leader_added: "Thêm đội trưởng", "Leader added";
    ev_member_confirmed: "Xác nhận thành viên", "Member confirmed";
    ev_member_removed: "Đưa ra khỏi đội", "Member removed";
    ev_joined: "Vào đội", "Joined";
    ev_join_requested: "Xin vào đội", "Asked to join";
    ev_join_cancelled: "Huỷ vào đội", "Joining cancelled";
    ev_invitation_created: "Tạo lời mời", "Invitation made";
    ev_invitation_revoked: "Thu hồi lời mời", "Invitation withdrawn";
    ev_campaign_created: "Tạo chiến dịch", "Campaign created";
    ev_campaign_changed: "Sửa chiến dịch", "Campaign changed";
    ev_claimed: "Nhận nhiệm vụ", "Claimed";
    ev_released: "Trả lại nhiệm vụ", "Released";
    ev_unassigned: "Thu hồi nhiệm vụ", "Taken back";
    ev_assigned: "Giao nhiệm vụ", "Assigned";
    ev_expired: "Hết thời gian giữ", "Claim expired";
    ev_submitted: "Gửi đóng góp", "Work sent";
    ev_site_proposed: "Đề xuất di tích mới", "New site proposed";
    ev_approved: "Được duyệt", "Approved";
    ev_rejected: "Không được duyệt", "Rejected";
    ev_task_added: "Thêm nhiệm vụ", "Task added";
    ev_task_withdrawn: "Rút khỏi chiến dịch", "Withdrawn";
    ev_task_restored: "Đưa trở lại chiến dịch", "Restored";
    ev_site_removed: "Di tích bị xoá", "Site removed";
    ev_site_merged: "Di tích được gộp", "Site merged";
    ev_other: "Thay đổi", "Change";
    proposed_in_campaign: "Đề xuất trong chiến dịch", "Proposed in the campaign";
    possible_duplicates_title: "Có thể đã có di tích này", "This site may already be here";
    possible_duplicates_intro: "Các di tích đã đăng ở gần (trong 500 m) hoặc có tên gần giống trong cùng xã. Hãy mở xem; nếu là một, hãy bổ sung ảnh cho di tích đó thay vì đề xuất mới.", "Published sites nearby (within 500 m) or with a similar name in the same commune. Open them; if one is this site, add photos to it instead of proposing a new one.";
    similar_name: "tên gần giống", "similar name";
    not_a_duplicate: "Tôi đã xem: đây là một di tích khác", "I have checked: this is a different site";
    possible_duplicates: "Hãy xem các di tích có thể trùng bên dưới rồi đánh dấu ô xác nhận trước khi gửi.", "Look at the possible duplicates below and tick the box before sending.";
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
