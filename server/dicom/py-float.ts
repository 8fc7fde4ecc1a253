// Python's repr(float) layout (CPython float_repr_style 'short': PyOS_double_to_string(x, 'r', 0,
// Py_DTSF_ADD_DOT_0)), which json.dumps writes for pydicom's DS/FL/FD values. JS and Python pick
// the same shortest round-trip digits; only the layout differs: Python writes 5.0 (JS 5), 1e-07
// (JS 1e-7), 1e+16 (JS 10000000000000000), -0.0 (JS 0). Non-finite values have no JSON form.

/** Python writes fixed notation for decimal exponents in [-4, 16), exponent notation outside. */
const FIXED_MIN = 1e-4;
const FIXED_LIMIT = 1e16;
/** Python pads the exponent to two digits (1e-07, 1e+16, 1e+300). */
const EXPONENT_DIGITS = 2;

/** repr(x) as Python 3 writes it for a finite double. */
export function pyFloatRepr(x: number): string {
  const abs = Math.abs(x);
  // JS writes fixed notation for 1e-7 <= |x| < 1e21: inside Python's range the text is the same
  // but for the '.0' Python adds to integral values.
  if (abs >= FIXED_MIN && abs < FIXED_LIMIT) return Number.isInteger(x) ? `${x}.0` : String(x);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  return layoutFromExponential(x.toExponential());
}

/** Re-lay "d.ddde±n" (toExponential without a digit count gives the shortest round-trip digits)
 *  as Python's exponent form; only reached outside [1e-4, 1e16), where the exponent is < -4 or >= 16. */
function layoutFromExponential(text: string): string {
  const e = text.indexOf('e');
  const exponent = Number(text.slice(e + 1));
  const sign = exponent < 0 ? '-' : '+';
  return `${text.slice(0, e)}e${sign}${String(Math.abs(exponent)).padStart(EXPONENT_DIGITS, '0')}`;
}

/** A JSON number as json.dumps writes a Python float; NaN/±Infinity → null (JSON has neither). */
export function pyFloatJson(x: number): string {
  return Number.isFinite(x) ? pyFloatRepr(x) : 'null';
}
