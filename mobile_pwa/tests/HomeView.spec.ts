import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory } from 'vue-router'
import HomeView from '../src/views/HomeView.vue'
import { createAppI18n } from '../src/i18n'
import { createAppRouter } from '../src/router'

async function mountHome(locale: 'zh-CN' | 'en') {
  const router = createAppRouter(createMemoryHistory())
  await router.push('/')
  await router.isReady()
  return mount(HomeView, { global: { plugins: [router, createAppI18n(locale)] } })
}

describe('HomeView', () => {
  it('shows the app name and tagline in zh-CN', async () => {
    const wrapper = await mountHome('zh-CN')
    expect(wrapper.get('h1').text()).toBe('保学通')
    expect(wrapper.text()).toContain('控辍保学 · 一个都不能少')
    expect(wrapper.get('a.van-button, button.van-button').text()).toBe('登录')
    expect(document.documentElement.lang).toBe('zh-CN')
  })

  it('switches to English and back', async () => {
    const wrapper = await mountHome('zh-CN')
    const toggle = wrapper.findAll('.van-button').find((b) => b.text() === 'English')
    expect(toggle).toBeDefined()

    await toggle!.trigger('click')
    expect(wrapper.get('h1').text()).toBe('Baoxue')
    expect(document.documentElement.lang).toBe('en')
    expect(localStorage.getItem('baoxue.locale')).toBe('en')

    await wrapper
      .findAll('.van-button')
      .find((b) => b.text() === '中文')!
      .trigger('click')
    expect(wrapper.get('h1').text()).toBe('保学通')
  })
})
