//! Distances on the Earth for "near me": the great-circle distance between two positions and
//! the latitude/longitude box that contains a circle, so that the index can cheaply narrow the
//! candidates with range queries before the exact distance is computed for each one.

/// Mean Earth radius (IUGG), kilometres.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in kilometres (haversine formula: accurate at short range, where the
/// spherical law of cosines loses precision).
pub fn haversine_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (lat1, lon1) = (from.0.to_radians(), from.1.to_radians());
    let (lat2, lon2) = (to.0.to_radians(), to.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = lon2 - lon1;
    let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// A box of latitudes and longitudes, inclusive. `lon` holds one range, or two when the box
/// crosses the 180th meridian; it is empty when every longitude qualifies (near a pole).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundingBox {
    pub lat: (f64, f64),
    pub lon: Vec<(f64, f64)>,
}

impl BoundingBox {
    /// The smallest such box around the circle of `radius_km` about `center`.
    pub fn around(center: (f64, f64), radius_km: f64) -> BoundingBox {
        let (lat, lon) = center;
        let dlat = (radius_km / EARTH_RADIUS_KM).to_degrees();
        let lat_range = ((lat - dlat).max(-90.0), (lat + dlat).min(90.0));
        // A circle that reaches a pole contains every longitude.
        if lat_range.0 <= -90.0 || lat_range.1 >= 90.0 {
            return BoundingBox {
                lat: lat_range,
                lon: Vec::new(),
            };
        }
        // Widest longitude span of the circle (its tangent points), not at the centre's latitude.
        let ratio = (radius_km / EARTH_RADIUS_KM).sin() / lat.to_radians().cos();
        if !(ratio.is_finite() && ratio < 1.0) {
            return BoundingBox {
                lat: lat_range,
                lon: Vec::new(),
            };
        }
        let dlon = ratio.asin().to_degrees();
        let (west, east) = (lon - dlon, lon + dlon);
        let lon = if west < -180.0 {
            vec![(west + 360.0, 180.0), (-180.0, east)]
        } else if east > 180.0 {
            vec![(west, 180.0), (-180.0, east - 360.0)]
        } else {
            vec![(west, east)]
        };
        BoundingBox {
            lat: lat_range,
            lon,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOAN_KIEM: (f64, f64) = (21.0287, 105.8524);
    const BEN_THANH: (f64, f64) = (10.7725, 106.6980);

    #[test]
    fn hanoi_to_saigon_is_about_1140_km() {
        let d = haversine_km(HOAN_KIEM, BEN_THANH);
        assert!((d - 1141.0).abs() < 5.0, "{d}");
        assert_eq!(haversine_km(HOAN_KIEM, HOAN_KIEM), 0.0);
    }

    #[test]
    fn the_box_contains_the_circle() {
        let radius = 50.0;
        let b = BoundingBox::around(HOAN_KIEM, radius);
        // Points on the circle in many directions fall inside the box.
        for step in 0..72 {
            let bearing = f64::from(step) * 5.0_f64.to_radians();
            let d = radius / EARTH_RADIUS_KM * 0.999;
            let (lat1, lon1) = (HOAN_KIEM.0.to_radians(), HOAN_KIEM.1.to_radians());
            let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * bearing.cos()).asin();
            let lon2 = lon1
                + (bearing.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
            let (lat2, lon2) = (lat2.to_degrees(), lon2.to_degrees());
            assert!(b.lat.0 <= lat2 && lat2 <= b.lat.1);
            assert!(
                b.lon.iter().any(|&(w, e)| w <= lon2 && lon2 <= e),
                "{bearing}"
            );
        }
    }

    #[test]
    fn boxes_wrap_the_date_line_and_open_at_poles() {
        let b = BoundingBox::around((0.0, 179.9), 100.0);
        assert_eq!(b.lon.len(), 2);
        assert!(BoundingBox::around((89.9, 0.0), 100.0).lon.is_empty());
    }
}
