include $(sort $(wildcard $(BR2_EXTERNAL_P2PGUARD_PATH)/package/*/*.mk))
