fn main() {
    for p in std::env::args().skip(1) {
        let bytes = std::fs::read(&p).unwrap();
        let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(&bytes));
        let px = d.decode().unwrap();
        let info = d.info().unwrap();
        let a: Vec<u8> = px
            .chunks(4)
            .flat_map(|p| {
                let k = 255 - p[3] as u32;
                let ch = |c: u8| ((255 - c as u32) * k / 255) as u8;
                [ch(p[0]), ch(p[1]), ch(p[2])]
            })
            .collect();
        let b: Vec<u8> = px
            .chunks(4)
            .flat_map(|p| {
                let k = p[3] as u32;
                let ch = |c: u8| ((c as u32) * k / 255) as u8;
                [ch(p[0]), ch(p[1]), ch(p[2])]
            })
            .collect();
        image::RgbImage::from_raw(info.width as u32, info.height as u32, a)
            .unwrap()
            .save("/tmp/cmyk_a.png")
            .unwrap();
        image::RgbImage::from_raw(info.width as u32, info.height as u32, b)
            .unwrap()
            .save("/tmp/cmyk_b.png")
            .unwrap();
        image::load_from_memory(&bytes)
            .unwrap()
            .to_rgb8()
            .save("/tmp/cmyk_zune.png")
            .unwrap();
    }
}
