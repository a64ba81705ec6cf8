import { createApp } from 'vue'
import 'element-plus/dist/index.css'
import './styles/main.css'
import App from './App.vue'
import { currentLocale, i18n } from './i18n'
import { nodeMode } from './mode'
import { createPortalRouter } from './router'

const app = createApp(App)
// A component's unexpected error stays in the console; pages show people plain sentences (PlainError), never a stack.
app.config.errorHandler = (error) => console.error(error)
app.use(i18n)
app.use(createPortalRouter(nodeMode()))
document.documentElement.lang = currentLocale()
app.mount('#app')
