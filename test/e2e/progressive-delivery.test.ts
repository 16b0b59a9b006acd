import { describeProgressiveDelivery } from './progressive-delivery-suite.js';

describeProgressiveDelivery('process');
