import { x } from '@kakehashi/core'; console.log('cli', x);
