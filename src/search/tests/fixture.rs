//! A small archive of real Vietnamese sites, written by hand, indexed in memory. Coordinates are
//! approximate and summaries are written for these tests; a few records are invented to
//! collide with real names once accents are folded ("Đèn Trân" against "Đền Trần").

use std::sync::OnceLock;

use chrono::{TimeZone, Utc};

use crate::record::{Category, Level, SiteRecord, SiteType};
use crate::search::{DocumentExtras, SearchIndex};

/// A record being written, with the caller's extras.
pub struct Site {
    pub record: SiteRecord,
    pub extras: DocumentExtras,
}

pub fn site(id: &str, name: &str, kind: &str, level: Level, province: &str) -> Site {
    let now = Utc.with_ymd_and_hms(2025, 9, 1, 0, 0, 0).unwrap();
    let mut record = SiteRecord::new(id, name, now);
    record.site_type = SiteType::parse(kind);
    record.level = level;
    if !province.is_empty() {
        record.location.province = Some(province.into());
    }
    Site {
        record,
        extras: DocumentExtras::default(),
    }
}

impl Site {
    pub fn legacy(mut self, province: &str) -> Self {
        self.record.location.legacy.province = Some(province.into());
        self
    }
    pub fn at(mut self, lat: f64, lon: f64) -> Self {
        self.record.location.lat = Some(lat);
        self.record.location.lon = Some(lon);
        self
    }
    pub fn summary(mut self, text: &str) -> Self {
        self.record.summary = Some(text.into());
        self
    }
    pub fn description(mut self, markdown: &str) -> Self {
        self.record.description = Some(markdown.into());
        self
    }
    pub fn people(mut self, people: &[&str]) -> Self {
        self.record.people = people.iter().map(|p| p.to_string()).collect();
        self
    }
    pub fn alt(mut self, names: &[&str]) -> Self {
        self.record.alt_names = names.iter().map(|p| p.to_string()).collect();
        self
    }
    pub fn en(mut self, name: &str) -> Self {
        self.record.name_en = Some(name.into());
        self
    }
    pub fn red(mut self) -> Self {
        self.record.red_address = true;
        self.record.category.push(Category::Revolutionary);
        self
    }
    pub fn category(mut self, category: Category) -> Self {
        self.record.category.push(category);
        self
    }
    pub fn photos(mut self, n: u32) -> Self {
        self.extras.photo_count = n;
        self.extras.thumbnail = Some(format!("/media/{}/thumb.webp", self.record.id));
        self.extras.placeholder = Some("#8a6d4b".into());
        self
    }
    pub fn also_in(mut self, place: &str) -> Self {
        self.extras.extra_place_names.push(place.into());
        self
    }
}

/// The fixture sites.
pub fn sites() -> Vec<Site> {
    use Level::*;
    vec![
        site("den-tran-nam-dinh", "Đền Trần", "đền", SpecialNational, "Ninh Bình")
            .legacy("Nam Định")
            .at(20.4337, 106.1772)
            .people(&["Trần Thái Tông", "Trần Nhân Tông"])
            .summary("Quần thể đền thờ các vua nhà Trần ở phường Lộc Vượng, nơi có lễ khai ấn đầu xuân.")
            .category(Category::History)
            .photos(4),
        site("den-tran-lamp", "Đèn Trân", "nhà cổ", Unranked, "Hà Nội")
            .summary("Một ngôi nhà cổ bán đèn lồng trong phố cổ."),
        site("chua-mot-cot", "Chùa Một Cột", "chùa", SpecialNational, "Hà Nội")
            .alt(&["Diên Hựu tự", "Liên Hoa Đài"])
            .en("One Pillar Pagoda")
            .at(21.0359, 105.8336)
            .summary("Ngôi chùa có kiến trúc độc đáo hình bông sen mọc trên một cột đá giữa hồ.")
            .category(Category::Architecture)
            .photos(3),
        site("van-mieu-quoc-tu-giam", "Văn Miếu – Quốc Tử Giám", "văn miếu", SpecialNational, "Hà Nội")
            .en("Temple of Literature")
            .at(21.0294, 105.8355)
            .people(&["Khổng Tử", "Chu Văn An"])
            .summary("Trường đại học đầu tiên của Việt Nam, dựng năm 1070 thời Lý Thánh Tông.")
            .photos(6),
        site("den-ngoc-son", "Đền Ngọc Sơn", "đền", National, "Hà Nội")
            .at(21.0307, 105.8524)
            .people(&["Văn Xương Đế Quân", "Trần Hưng Đạo"])
            .summary("Đền nằm trên đảo Ngọc giữa hồ Hoàn Kiếm, nối với bờ bằng cầu Thê Húc."),
        site("hoang-thanh-thang-long", "Hoàng thành Thăng Long", "thành cổ", WorldHeritage, "Hà Nội")
            .en("Imperial Citadel of Thang Long")
            .at(21.0355, 105.8403)
            .summary("Trung tâm quyền lực của các triều đại Việt Nam suốt mười ba thế kỷ."),
        site("chua-bai-dinh", "Chùa Bái Đính", "chùa", National, "Ninh Bình")
            .at(20.2744, 105.8664)
            .summary("Quần thể chùa trên núi Bái Đính, gồm chùa cổ và khu chùa mới rất rộng.")
            .photos(2),
        site("co-do-hoa-lu", "Cố đô Hoa Lư", "thành cổ", SpecialNational, "Ninh Bình")
            .at(20.2859, 105.9059)
            .people(&["Đinh Tiên Hoàng", "Lê Đại Hành"])
            .summary("Kinh đô của nhà Đinh và nhà Tiền Lê; còn đền thờ vua Đinh và vua Lê Đại Hành."),
        site("den-vua-le-dai-hanh", "Đền Vua Lê Đại Hành", "đền", National, "Ninh Bình")
            .at(20.2870, 105.9066)
            .people(&["Lê Đại Hành"]),
        site("phu-day", "Phủ Dầy", "phủ", SpecialNational, "Ninh Bình")
            .legacy("Nam Định")
            .at(20.3431, 106.0556)
            .people(&["Thánh Mẫu Liễu Hạnh"])
            .summary("Trung tâm thờ Mẫu lớn nhất miền Bắc, nơi diễn ra hội Phủ Dầy tháng ba."),
        site("chua-pho-minh", "Chùa Phổ Minh", "chùa", National, "Ninh Bình")
            .legacy("Nam Định")
            .at(20.4420, 106.1770)
            .summary("Chùa có tháp Phổ Minh mười bốn tầng dựng thời Trần."),
        site("den-hung", "Đền Hùng", "đền", SpecialNational, "Phú Thọ")
            .at(21.3683, 105.3239)
            .people(&["Hùng Vương"])
            .en("Hung Kings Temple")
            .summary("Nơi thờ các vua Hùng trên núi Nghĩa Lĩnh."),
        site("nha-tu-hoa-lo", "Nhà tù Hỏa Lò", "nhà tù", SpecialNational, "Hà Nội")
            .red()
            .at(21.0253, 105.8466)
            .en("Hoa Lo Prison")
            .summary("Nhà tù do Pháp xây năm 1896, nơi giam giữ nhiều chiến sĩ cách mạng.")
            .photos(1),
        site("pac-bo", "Khu di tích Pác Bó", "địa điểm lịch sử", SpecialNational, "Cao Bằng")
            .red()
            .at(22.9865, 106.0530)
            .people(&["Hồ Chí Minh"])
            .summary("Nơi Bác Hồ sống và làm việc khi về nước năm 1941, bên suối Lênin."),
        site("tan-trao", "Khu di tích Tân Trào", "địa điểm lịch sử", SpecialNational, "Tuyên Quang")
            .red()
            .at(21.7866, 105.4323)
            .summary("Thủ đô khu giải phóng, nơi họp Quốc dân Đại hội năm 1945."),
        site("dinh-doc-lap", "Dinh Độc Lập", "cung điện", SpecialNational, "Hồ Chí Minh")
            .red()
            .en("Independence Palace")
            .at(10.7770, 106.6953)
            .summary("Dinh thự nơi xe tăng húc đổ cổng ngày 30 tháng 4 năm 1975."),
        site("dia-dao-cu-chi", "Địa đạo Củ Chi", "địa đạo", SpecialNational, "Hồ Chí Minh")
            .red()
            .at(11.1417, 106.4636)
            .summary("Hệ thống đường hầm dài hơn hai trăm cây số dưới lòng đất."),
        site("lang-co-duong-lam", "Làng cổ Đường Lâm", "làng cổ", National, "Hà Nội")
            .legacy("Hà Tây")
            .also_in("Sơn Tây")
            .at(21.1570, 105.4690)
            .summary("Làng cổ với những ngôi nhà đá ong và cổng làng Mông Phụ."),
        site("dinh-duong-lieu", "Đình Dương Liễu", "đình", Provincial, "Hà Nội")
            .legacy("Hà Tây")
            .at(21.0600, 105.6780)
            .summary("Ngôi đình của làng Dương Liễu, nổi tiếng với nghề làm miến."),
        site("dinh-mong-phu", "Đình Mông Phụ", "đình", National, "Hà Nội")
            .legacy("Hà Tây")
            .at(21.1560, 105.4700)
            .summary("Đình nằm bên con đường làng lát gạch, giữa làng cổ."),
        site("chua-thien-mu", "Chùa Thiên Mụ", "chùa", National, "Huế")
            .legacy("Thừa Thiên Huế")
            .at(16.4533, 107.5449)
            .summary("Ngôi chùa cổ bên bờ sông Hương với tháp Phước Duyên bảy tầng."),
        site("thap-ba-ponagar", "Tháp Bà Ponagar", "tháp chàm", SpecialNational, "Khánh Hòa")
            .at(12.2654, 109.1955)
            .summary("Quần thể tháp Chăm thờ nữ thần Thiên Y A Na."),
        site("nha-tho-phat-diem", "Nhà thờ Phát Diệm", "nhà thờ", SpecialNational, "Ninh Bình")
            .at(20.0940, 106.0830)
            .summary("Nhà thờ đá kết hợp kiến trúc đình chùa Việt với kiến trúc Gothic."),
        site("den-tho-le-lai", "Đền thờ Lê Lai", "đền", Provincial, "Thanh Hóa")
            .people(&["Lê Lai"])
            .summary("Đền thờ người anh hùng liều mình cứu chúa."),
        site("den-tho-nguyen-trai", "Đền thờ Nguyễn Trãi", "đền", SpecialNational, "Hải Phòng")
            .legacy("Hải Dương")
            .at(21.1580, 106.3940)
            .people(&["Nguyễn Trãi"])
            .summary("Đền ở Côn Sơn thờ nhà văn hóa Nguyễn Trãi, tác giả Bình Ngô đại cáo."),
        site("den-kiep-bac", "Đền Kiếp Bạc", "đền", SpecialNational, "Hải Phòng")
            .legacy("Hải Dương")
            .at(21.1370, 106.4420)
            .people(&["Trần Hưng Đạo"])
            .summary("Nơi thờ Hưng Đạo Đại Vương Trần Quốc Tuấn."),
        site("lang-chu-tich", "Lăng Chủ tịch Hồ Chí Minh", "lăng", SpecialNational, "Hà Nội")
            .red()
            .at(21.0368, 105.8346)
            .en("Ho Chi Minh Mausoleum"),
        site("chua-huong", "Chùa Hương", "chùa", SpecialNational, "Hà Nội")
            .legacy("Hà Tây")
            .at(20.6180, 105.7470)
            .category(Category::Landscape)
            .summary("Quần thể chùa và hang động trong núi Hương Sơn; mùa lễ hội từ tháng giêng.")
            .description("## Lịch sử\n\nĐộng **Hương Tích** được chúa Trịnh Sâm khen là [Nam thiên đệ nhất động](https://vi.wikipedia.org)."),
        site("dinh-chem", "Đình Chèm", "đình", National, "Hà Nội")
            .at(21.0870, 105.7860)
            .people(&["Lý Ông Trọng"])
            .summary("Đình thờ Lý Ông Trọng <script>alert(1)</script> bên sông Hồng & đê."),
        site("dinh-lang-dong", "Đình làng Đông", "đình", Unknown, ""),
    ]
}

/// The fixture, indexed once and shared by every test.
pub fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    // Several segments, so that merging results across segments is exercised.
    INDEX.get_or_init(|| index_of(sites(), 10))
}

/// `sites` indexed in memory, committed every `per_segment` sites.
pub fn index_of(sites: impl IntoIterator<Item = Site>, per_segment: usize) -> SearchIndex {
    let index = SearchIndex::create_in_ram();
    let mut writer = index.writer(30_000_000).unwrap();
    for (i, site) in sites.into_iter().enumerate() {
        writer
            .add_document(index.document(&site.record, &site.extras))
            .unwrap();
        if i % per_segment == per_segment - 1 {
            writer.commit().unwrap();
        }
    }
    writer.commit().unwrap();
    index.reload().unwrap();
    index
}
