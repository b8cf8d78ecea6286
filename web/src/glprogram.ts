// WebGL2 pieces the page's custom map layers (tracklayer.ts, traillayer.ts)
// share: a program from a vertex and a fragment shader (`what` names the
// layer in the error a failed compile or link throws), and a texture.

/** A new 2D texture, bound, clamped at its edges, sampled with `filter` (LINEAR or NEAREST). */
export function clampedTexture(gl: WebGL2RenderingContext, filter: number): WebGLTexture {
  const t = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, t);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, filter);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, filter);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  return t;
}

export function compileProgram(gl: WebGL2RenderingContext, vs: string, fs: string, what: string): WebGLProgram {
  const prog = gl.createProgram()!;
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]] as const) {
    const sh = gl.createShader(type)!;
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS)) throw new Error(`${what} shader: ${gl.getShaderInfoLog(sh) ?? '?'}`);
    gl.attachShader(prog, sh);
  }
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(`${what} program: ${gl.getProgramInfoLog(prog) ?? '?'}`);
  return prog;
}
