export { parseIni, findOption, optionBoolean, booleanValue, type IniDocument, type IniSection, type IniOption, type IniLine } from './parse.js';
export { IniEdits } from './render.js';
export { lineProblem, repoIdProblem, baseurlProblem } from './values.js';
