// Disan: deep zoom in the photo viewer, loaded only when a photo is opened (after
// OpenSeadragon, in the same file). The photo's IIIF level-0 tiles (made at ingest) are drawn
// as the visitor pinches, double-taps or scrolls; only the tiles in view are fetched. Until
// the first tiles arrive, and if the photo has none, the plain enlarged photo stays.
(function () {
  "use strict";
  var current = null;
  window.DisanZoom = {
    // Shows the image service `info` over `img` inside `box`.
    show: function (box, img, info) {
      this.close();
      var area = document.createElement("div");
      area.className = "zoom";
      box.insertBefore(area, box.firstChild);
      var viewer = OpenSeadragon({
        element: area,
        tileSources: info,
        showNavigationControl: false,
        showSequenceControl: false,
        visibilityRatio: 1,
        constrainDuringPan: true,
        maxZoomPixelRatio: 2,
        minZoomImageRatio: 1,
        animationTime: 0.6,
        springStiffness: 8,
        gestureSettingsTouch: { pinchToZoom: true, dblClickToZoom: true, clickToZoom: false, flickEnabled: true },
        gestureSettingsMouse: { dblClickToZoom: true, clickToZoom: false, scrollToZoom: true },
        crossOriginPolicy: false
      });
      var entry = { viewer: viewer, area: area, img: img };
      current = entry;
      // Every drawer (WebGL or canvas) says when a tile has arrived; it is drawn by the
      // next frame, when the plain photo can give way.
      viewer.addHandler("tile-loaded", function once() {
        viewer.removeHandler("tile-loaded", once);
        requestAnimationFrame(function () {
          if (current === entry) { img.hidden = true; area.classList.add("ready"); }
        });
      });
      viewer.addHandler("open-failed", function () {
        if (current === entry) window.DisanZoom.close();
      });
    },
    // Whether the visitor has zoomed in (a swipe then pans instead of changing photo).
    zoomed: function () {
      if (!current) return false;
      var v = current.viewer.viewport;
      return v.getZoom() > v.getHomeZoom() * 1.05;
    },
    close: function () {
      if (!current) return;
      current.viewer.destroy();
      current.area.remove();
      current.img.hidden = false;
      current = null;
    }
  };
})();
