// One WebGL2 program from a vertex and a fragment shader, for the page's
// custom map layers (tracklayer.ts, traillayer.ts). `what` names the layer
// in the error a failed compile or link throws.

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
