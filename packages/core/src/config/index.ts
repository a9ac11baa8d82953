export {
  type ConfigSource,
  type EffectiveOption,
  LayeredConfig,
  type LayeredConfigInput,
  type OptionSpec,
  renderOptionsTable,
} from './layered-config.ts';
export { FEDERATION_OPTIONS, type FederationOptions } from './options.ts';
