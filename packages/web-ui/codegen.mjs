import { clientCodegen } from '../../schema/codegen.mjs';

// the sign-in pieces' operations and the fragments both apps read alike (identity/fragments.graphql, also in both apps' codegen)
export default clientCodegen({ documents: ['src/**/*.graphql'] });
