export {
  type ConfigSource,
  type ConfigView,
  type EffectiveOption,
  LayeredConfig,
  type LayeredConfigInput,
  type OptionSpec,
  type OptionValues,
  renderOptionsTable,
} from './layered-config.ts';
export { CORE_OPTIONS, type CoreOptions } from './options.ts';
