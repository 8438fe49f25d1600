// Packing mode's sounds (README: Packing mode), made with WebAudio: no audio file ships. A
// station without a sound device stays silent; the message on screen says the same.

let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
    return ctx;
  } catch {
    return null;
  }
}

function tone(frequency: number, start: number, duration: number, c: AudioContext) {
  const osc = c.createOscillator();
  const gain = c.createGain();
  osc.type = 'square';
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(0.12, c.currentTime + start);
  gain.gain.exponentialRampToValueAtTime(0.001, c.currentTime + start + duration);
  osc.connect(gain).connect(c.destination);
  osc.start(c.currentTime + start);
  osc.stop(c.currentTime + start + duration);
}

/** Two low beeps: refused (a wrong item, one too many, no such order). */
export function errorBeep() {
  const c = context();
  if (!c) return;
  tone(220, 0, 0.16, c);
  tone(180, 0.2, 0.22, c);
}

/** One short high beep: taken. */
export function okBeep() {
  const c = context();
  if (!c) return;
  tone(1320, 0, 0.07, c);
}
