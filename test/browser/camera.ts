// Init scripts that stand in for camera situations the fake device cannot produce, and one that keeps
// every stream the page opens so a test can check that all tracks were stopped.

/** Keeps each MediaStream the page obtains in window.__streams. */
export const RECORD_STREAMS = `(() => {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) return;
  const orig = md.getUserMedia.bind(md);
  window.__streams = [];
  window.__constraints = [];
  md.getUserMedia = async (c) => { window.__constraints.push(JSON.stringify(c)); const s = await orig(c); window.__streams.push(s); return s; };
})();`;

/** A device without any camera: getUserMedia fails with NotFoundError and no video input is listed. */
export const NO_CAMERA = `(() => {
  const md = navigator.mediaDevices;
  if (!md) return;
  md.getUserMedia = async () => { throw new DOMException('Requested device not found', 'NotFoundError'); };
  md.enumerateDevices = async () => [];
})();`;

/** Live-track states of every recorded stream ("live" | "ended"). */
export const TRACK_STATES = `(window.__streams || []).flatMap((s) => s.getTracks().map((t) => t.readyState))`;
