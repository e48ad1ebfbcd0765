fn main() {
    let dir = "/work/shared/testdata/photos/orientation";
    let a = image::open(format!("{dir}/landscape_1.jpg")).unwrap().to_rgb8();
    let b = image::imageops::flip_horizontal(&image::open(format!("{dir}/landscape_2.jpg")).unwrap().to_rgb8());
    let c = image::imageops::rotate180(&image::open(format!("{dir}/landscape_3.jpg")).unwrap().to_rgb8());
    for (n, o) in [("2", &b), ("3", &c)] {
        let (w, h) = a.dimensions();
        let mut t = 0f64; let mut cnt = 0f64;
        for (x, y, p) in a.enumerate_pixels() {
            if x > w * 2 / 5 && x < w * 3 / 5 && y > h / 4 && y < h * 3 / 4 { continue; }
            let q = o.get_pixel(x, y);
            for i in 0..3 { t += p.0[i].abs_diff(q.0[i]) as f64; cnt += 1.0; }
        }
        println!("raw 1 vs {n}: {:.2}", t / cnt);
    }
    image::open("/tmp/or_2_320.jpg").unwrap().to_rgb8().save("/tmp/or_2.png").unwrap();
}
