"""grandest_onboarding: commune onboarding with free hosting quotas."""
