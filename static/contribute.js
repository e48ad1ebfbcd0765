// Pages for volunteers and moderators. Everything here is an enhancement: each form also works
// without JavaScript.
'use strict';
