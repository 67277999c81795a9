export { parseIni, findOption, optionBoolean, type IniDocument, type IniSection, type IniOption, type IniLine } from './parse.js';
export { IniEdits } from './render.js';
