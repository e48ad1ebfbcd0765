//! What is found for what is typed, and in which order.

use unicode_normalization::UnicodeNormalization;

use super::fixture::sites;
use super::{ids, q, rank};
use crate::fold;

#[test]
fn den_finds_every_site_named_den() {
    let response = q("den");
    let found = ids(&response);
    for site in sites() {
        if fold::words(&site.record.name).first().map(String::as_str) == Some("den") {
            assert!(
                found.contains(&site.record.id.as_str()),
                "{} missing from {found:?}",
                site.record.id
            );
        }
    }
    assert!(!response.loose_match);
}

#[test]
fn accents_case_and_nfd_do_not_change_results() {
    let nfd: String = "Hà Nội".nfd().collect();
    let plain = q("ha noi");
    assert!(plain.total >= 10, "{}", plain.total);
    for variant in ["Hà Nội", "HÀ NỘI", nfd.as_str(), "  hà   nội  "] {
        let response = q(variant);
        assert_eq!(response.total, plain.total, "{variant}");
    }
    let nfd_den: String = "Đền Trần".nfd().collect();
    assert_eq!(ids(&q(&nfd_den)), ids(&q("Đền Trần")));
}

#[test]
fn two_letter_syllables_match() {
    let le = q("Lê");
    for id in ["den-vua-le-dai-hanh", "co-do-hoa-lu", "den-tho-le-lai"] {
        rank(&le, id);
    }
    let ha = q("Hà");
    rank(&ha, "chua-mot-cot");
    assert!(q("ha").total >= ha.total);
}

#[test]
fn duong_finds_every_spelling_and_accents_choose_the_order() {
    let folded = q("duong");
    for id in [
        "lang-co-duong-lam",
        "dinh-duong-lieu",
        "dinh-mong-phu",
        "den-tho-nguyen-trai",
    ] {
        rank(&folded, id);
    }
    let accented = q("đường");
    assert!(rank(&accented, "lang-co-duong-lam") < rank(&accented, "dinh-duong-lieu"));
    let other = q("Dương");
    assert!(rank(&other, "dinh-duong-lieu") < rank(&other, "lang-co-duong-lam"));
}

#[test]
fn the_exact_spelling_ranks_first() {
    assert_eq!(ids(&q("Đền Trần"))[0], "den-tran-nam-dinh");
    assert_eq!(ids(&q("Đèn Trân"))[0], "den-tran-lamp");
    let folded = q("den tran");
    rank(&folded, "den-tran-nam-dinh");
    rank(&folded, "den-tran-lamp");
}

#[test]
fn names_outrank_mentions() {
    // "Phổ Minh" is the name of one site and a word in nothing else.
    assert_eq!(ids(&q("pho minh"))[0], "chua-pho-minh");
    // A person's name finds their temple before places that merely mention them.
    assert_eq!(ids(&q("Nguyễn Trãi"))[0], "den-tho-nguyen-trai");
    // A whole alternative name.
    assert_eq!(ids(&q("Diên Hựu tự"))[0], "chua-mot-cot");
    // English names and stemming.
    assert_eq!(ids(&q("temples of literature"))[0], "van-mieu-quoc-tu-giam");
}

#[test]
fn a_syllable_missing_a_letter_still_finds_the_site() {
    let response = q("Nguễn Trãi");
    assert_eq!(ids(&response)[0], "den-tho-nguyen-trai");
    assert!(!response.loose_match);
    assert_eq!(
        ids(&q("hoang thnh thang long"))[0],
        "hoang-thanh-thang-long"
    );
}

#[test]
fn words_that_never_meet_fall_back_to_any_word() {
    let response = q("Chùa Một Cột Pác Bó");
    assert!(response.loose_match);
    rank(&response, "chua-mot-cot");
    rank(&response, "pac-bo");
    assert!(!q("Chùa Một Cột").loose_match);
}

#[test]
fn text_without_words_finds_nothing_and_empty_text_everything() {
    assert_eq!(q("\"():^*-").total, 0);
    assert_eq!(q("🏯🏯").total, 0);
    assert_eq!(q("").total as usize, sites().len());
}

#[test]
fn words_together_in_a_description_outrank_the_same_words_apart() {
    use super::fixture::{index_of, site};
    use crate::record::Level;
    use crate::search::SearchRequest;
    // Both descriptions hold every word of the search, equally often and equally long; only
    // one has them in a row, as the reader copied them.
    let together = site("together", "Đình Hạ", "dinh", Level::Provincial, "Hà Nội")
        .description("Nơi đây nghĩa quân đánh thắng quân Nguyên năm ấy, giữ yên làng xóm.");
    let apart = site("apart", "Đình Thượng", "dinh", Level::Provincial, "Hà Nội")
        .description("Quân làng đánh giặc năm ấy, thắng lớn; nghĩa quân Nguyên về xóm đây.");
    let index = index_of([apart, together], 1);
    for text in ["đánh thắng quân Nguyên", "danh thang quan nguyen"] {
        let response = index.search(&SearchRequest::text(text)).unwrap();
        assert_eq!(ids(&response), ["together", "apart"], "{text}");
    }
}

#[test]
fn pairs_join_neighbours_within_a_value_never_across_two() {
    use super::fixture::{index_of, site};
    use crate::record::Level;
    use tantivy::Term;
    let temple = site(
        "den-le-loi",
        "Đền Lê Lợi",
        "den",
        Level::Provincial,
        "Thanh Hóa",
    )
    .people(&["Lê Lợi", "Nguyễn Trãi"]);
    let index = index_of([temple], 1);
    let searcher = index.reader.searcher();
    let s = index.schema();
    let sites_with = |field, pair: &str| {
        searcher
            .doc_freq(&Term::from_field_text(field, pair))
            .unwrap()
    };
    assert_eq!(sites_with(s.name_pairs, "den le"), 1);
    assert_eq!(sites_with(s.name_pairs, "le loi"), 1);
    assert_eq!(sites_with(s.people_pairs, "le loi"), 1);
    assert_eq!(sites_with(s.people_pairs, "nguyen trai"), 1);
    // The end of one person's name and the start of the next are not neighbours.
    assert_eq!(sites_with(s.people_pairs, "loi nguyen"), 0);
}
