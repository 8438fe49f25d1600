// Stroke icons on a 24×24 grid, as element descriptions rendered by Icon.svelte (no markup
// strings, no icon font, nothing loaded from the network).

type Shape = [tag: 'path' | 'polyline' | 'polygon' | 'line' | 'circle' | 'rect', attrs: Record<string, string | number>];

const p = (d: string): Shape => ['path', { d }];
const pl = (points: string): Shape => ['polyline', { points }];
const ln = (x1: number, y1: number, x2: number, y2: number): Shape => ['line', { x1, y1, x2, y2 }];
const c = (cx: number, cy: number, r: number): Shape => ['circle', { cx, cy, r }];

export const ICONS = {
  orders: [p('M16.5 9.4 7.5 4.21'), p('M21 16V8a2 2 0 0 0-1-1.73l-7-4a2 2 0 0 0-2 0l-7 4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.73l7 4a2 2 0 0 0 2 0l7-4A2 2 0 0 0 21 16z'), pl('3.27 6.96 12 12.01 20.73 6.96'), ln(12, 22.08, 12, 12)],
  subscriptions: [pl('17 1 21 5 17 9'), p('M3 11V9a4 4 0 0 1 4-4h14'), pl('7 23 3 19 7 15'), p('M21 13v2a4 4 0 0 1-4 4H3')],
  settings: [ln(4, 21, 4, 14), ln(4, 10, 4, 3), ln(12, 21, 12, 12), ln(12, 8, 12, 3), ln(20, 21, 20, 16), ln(20, 12, 20, 3), ln(1, 14, 7, 14), ln(9, 8, 15, 8), ln(17, 16, 23, 16)],
  sync: [pl('23 4 23 10 17 10'), pl('1 20 1 14 7 14'), p('M3.51 9a9 9 0 0 1 14.85-3.36L23 10M1 14l4.64 4.36A9 9 0 0 0 20.49 15')],
  check: [pl('20 6 9 17 4 12')],
  x: [ln(18, 6, 6, 18), ln(6, 6, 18, 18)],
  offline: [ln(1, 1, 23, 23), p('M16.72 11.06A10.94 10.94 0 0 1 19 12.55'), p('M5 12.55a10.94 10.94 0 0 1 5.17-2.39'), p('M10.71 5.05A16 16 0 0 1 22.58 9'), p('M1.42 9a15.91 15.91 0 0 1 4.7-2.88'), p('M8.53 16.11a6 6 0 0 1 6.95 0'), ln(12, 20, 12.01, 20)],
  eye: [p('M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z'), c(12, 12, 3)],
  eyeOff: [p('M17.94 17.94A10.07 10.07 0 0 1 12 20c-7 0-11-8-11-8a18.45 18.45 0 0 1 5.06-5.94M9.9 4.24A9.12 9.12 0 0 1 12 4c7 0 11 8 11 8a18.5 18.5 0 0 1-2.16 3.19m-6.72-1.07a3 3 0 1 1-4.24-4.24'), ln(1, 1, 23, 23)],
  chevronLeft: [pl('15 18 9 12 15 6')],
  chevronRight: [pl('9 18 15 12 9 6')],
  info: [c(12, 12, 10), ln(12, 16, 12, 12), ln(12, 8, 12.01, 8)],
  alert: [c(12, 12, 10), ln(12, 8, 12, 12), ln(12, 16, 12.01, 16)],
  key: [p('M21 2l-2 2m-7.61 7.61a5.5 5.5 0 1 1-7.778 7.778 5.5 5.5 0 0 1 7.777-7.777zm0 0L15.5 7.5m0 0l3 3L22 7l-3-3m-3.5 3.5L19 4')],
  truck: [['rect', { x: 1, y: 3, width: 15, height: 13 }], ['polygon', { points: '16 8 20 8 23 11 23 16 16 16 16 8' }], c(5.5, 18.5, 2.5), c(18.5, 18.5, 2.5)],
  pickup: [p('M6 2 3 6v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6l-3-4z'), ln(3, 6, 21, 6), p('M16 10a4 4 0 0 1-8 0')],
  inbox: [pl('22 12 16 12 14 15 10 15 8 12 2 12'), p('M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z')],
  download: [pl('8 17 12 21 16 17'), ln(12, 12, 12, 21), p('M20.88 18.09A5 5 0 0 0 18 9h-1.26A8 8 0 1 0 3 16.29')],
  lock: [['rect', { x: 3, y: 11, width: 18, height: 11, rx: 2, ry: 2 }], p('M7 11V7a5 5 0 0 1 10 0v4')],
  file: [p('M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z'), pl('14 2 14 8 20 8'), ln(8, 13, 16, 13), ln(8, 17, 16, 17)],
  external: [p('M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6'), pl('15 3 21 3 21 9'), ln(10, 14, 21, 3)],
  undo: [pl('1 4 1 10 7 10'), p('M3.51 15a9 9 0 1 0 2.13-9.36L1 10')],
  printer: [pl('6 9 6 2 18 2 18 9'), p('M6 18H4a2 2 0 0 1-2-2v-5a2 2 0 0 1 2-2h16a2 2 0 0 1 2 2v5a2 2 0 0 1-2 2h-2'), ['rect', { x: 6, y: 14, width: 12, height: 8 }]],
  store: [p('M3 9l1.5-5h15L21 9'), p('M3 9a3 3 0 0 0 6 0 3 3 0 0 0 6 0 3 3 0 0 0 6 0'), p('M5 12v8h14v-8'), p('M10 20v-5h4v5')],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof ICONS;
