import { clientCodegen } from '../../schema/codegen.mjs';

// the shared fragments (fragments.graphql, also read by both apps) and this package's operations
export default clientCodegen({ documents: ['src/**/*.graphql'] });
