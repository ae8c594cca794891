export { purlOf } from './purl';
